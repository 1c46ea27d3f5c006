import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';

/**
 * The deployed stack's log groups (the task functions' among them), read with ListStackResources:
 * their names are CloudFormation's, so only the stack knows them. Read once per process; the
 * task log reader filters every line on its run, so the state machine's and builds' groups cost
 * a read and add nothing.
 */
export function stackLogGroups(
  stack: string,
  client: Pick<CloudFormationClient, 'send'> = new CloudFormationClient({}),
): () => Promise<readonly string[]> {
  let groups: Promise<string[]> | undefined;
  const read = async () => {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new ListStackResourcesCommand({ StackName: stack, NextToken: nextToken }),
      );
      for (const r of page.StackResourceSummaries ?? [])
        if (r.ResourceType === 'AWS::Logs::LogGroup' && r.PhysicalResourceId)
          names.push(r.PhysicalResourceId);
      nextToken = page.NextToken;
    } while (nextToken);
    return names;
  };
  return () => {
    groups ??= read().catch((error) => {
      groups = undefined;
      throw error;
    });
    return groups;
  };
}
