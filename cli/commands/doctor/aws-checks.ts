import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { TollgateConfig } from '../../../functions/shared/config/index.js';
import { parseApproveUrl } from '../../aws/approve-url-client.js';
import { REQUIRED_OUTPUTS } from '../../aws/required-outputs.js';
import { StackOutputName, StackOutputs } from '../../aws/stack-outputs.js';
import { oneLine } from '../../client/cli-error.js';
import { canaryChecks } from './canary-checks.js';
import { type DoctorCheck, type DoctorCheckName, fail, ok, warn } from './doctor-check.js';
import { awsError, stateMachineChecks } from './state-machine-checks.js';

interface AwsSession {
  readonly credentials: AwsCredentialIdentity;
  readonly region: string;
}

/**
 * `tollgate doctor --aws`: credentials and region, then the deployed stack as the CLI and the
 * console will use it, then (with the repository's config) what each canary environment's
 * `deploy.canary` names. A check that cannot run because an earlier one failed is left out rather
 * than failed again, so each problem is said once, on its own line.
 */
export async function awsChecks(stackName: string, config?: TollgateConfig): Promise<DoctorCheck[]> {
  const { check: sessionCheck, session } = await resolveSession();
  if (!session) return [sessionCheck];
  const clientConfig = { credentials: session.credentials, region: session.region };
  const stack = new StackOutputs(stackName, () => new CloudFormationClient(clientConfig));
  let description: Awaited<ReturnType<StackOutputs['describe']>>;
  try {
    description = await stack.describe();
  } catch (error) {
    return [sessionCheck, fail('aws-stack', oneLine(error))];
  }
  const { outputs } = description;
  const stateMachineArn = outputs[StackOutputName.StateMachineArn];
  const approveUrl = outputs[StackOutputName.ApproveUrl];
  const dynamo = new DynamoDBClient(clientConfig);
  const [machine, lockTable, approvalsTable, canaries] = await Promise.all([
    stateMachineArn ? stateMachineChecks(new SFNClient(clientConfig), stateMachineArn) : [],
    tableCheck(dynamo, 'aws-lock-table', 'lock', outputs[StackOutputName.LockTableName]),
    tableCheck(dynamo, 'aws-approvals-table', 'approvals', outputs[StackOutputName.ApprovalsTableName]),
    config
      ? canaryChecks(config, {
          elb: new ElasticLoadBalancingV2Client(clientConfig),
          ecs: new ECSClient(clientConfig),
        })
      : [],
  ]);
  return [
    sessionCheck,
    stackStatusCheck(stackName, description.status),
    outputsCheck(stackName, outputs),
    ...machine,
    ...(approveUrl ? [approveUrlCheck(approveUrl)] : []),
    ...lockTable,
    ...approvalsTable,
    ...canaries,
  ];
}

/** The default chain, as every `--aws` command uses it; a region is needed as much as a key. */
async function resolveSession(): Promise<{ check: DoctorCheck; session?: AwsSession }> {
  let credentials: AwsCredentialIdentity;
  try {
    credentials = await fromNodeProviderChain()();
  } catch (error) {
    return { check: fail('aws-credentials', `no AWS credentials in the default chain: ${oneLine(error)}`) };
  }
  const key = `${credentials.accessKeyId.slice(0, 4)}…`;
  let region: string;
  try {
    region = await new CloudFormationClient({ credentials }).config.region();
  } catch {
    return {
      check: fail(
        'aws-credentials',
        `credentials found (${key}) but no region; set AWS_REGION or the region of your AWS profile`,
      ),
    };
  }
  return {
    check: ok('aws-credentials', `credentials found (${key}), region ${region}`),
    session: { credentials, region },
  };
}

function stackStatusCheck(stack: string, status: string): DoctorCheck {
  if (status.endsWith('_IN_PROGRESS'))
    return warn('aws-stack', `stack ${stack} is ${status}; run doctor again once it settles`);
  if (status.endsWith('_FAILED') || status === 'ROLLBACK_COMPLETE' || status === 'DELETE_COMPLETE')
    return fail(
      'aws-stack',
      `stack ${stack} is ${status}; see its events in CloudFormation and deploy again`,
    );
  if (status === 'UPDATE_ROLLBACK_COMPLETE')
    return warn('aws-stack', `stack ${stack}: the last update rolled back; it runs the version before it`);
  return ok('aws-stack', `stack ${stack} is ${status}`);
}

function outputsCheck(stack: string, outputs: Readonly<Record<string, string>>): DoctorCheck {
  const missing = REQUIRED_OUTPUTS.filter((o) => !outputs[o.name]);
  if (missing.length === 0)
    return ok(
      'aws-outputs',
      `stack ${stack} has the ${REQUIRED_OUTPUTS.length} outputs the CLI and the console read`,
    );
  return fail(
    'aws-outputs',
    `stack ${stack} has no ${missing.map((o) => `${o.name} output (${o.breaks})`).join(', no ')}; ` +
      'deploy this version of the stack with `npx cdk deploy`',
  );
}

function approveUrlCheck(value: string): DoctorCheck {
  const url = parseApproveUrl(value);
  return typeof url === 'string' ? fail('aws-approve-url', url) : ok('aws-approve-url', url.href);
}

/** DescribeTable: the CLI's approvals and the pipeline's lock live there; both must be ACTIVE. */
async function tableCheck(
  dynamo: DynamoDBClient,
  name: DoctorCheckName,
  what: string,
  tableName: string | undefined,
): Promise<DoctorCheck[]> {
  if (!tableName) return [];
  try {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    const status = Table?.TableStatus ?? 'UNKNOWN';
    return status === 'ACTIVE'
      ? [ok(name, `${what} table ${tableName} is ACTIVE`)]
      : [warn(name, `${what} table ${tableName} is ${status}`)];
  } catch (error) {
    return [fail(name, `cannot describe the ${what} table ${tableName}: ${awsError(error)}`)];
  }
}
