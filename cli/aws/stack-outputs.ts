import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { StackOutput } from '../../infra/stack-output-names.js';
import { CliError, ExitCode } from '../client/cli-error.js';

export { StackOutput as StackOutputName };

/** The deployed stack's outputs, read once with DescribeStacks and only when first needed. */
export class StackOutputs {
  private outputs: Promise<Record<string, string>> | undefined;

  constructor(
    readonly stack: string,
    private readonly client: () => CloudFormationClient = () => new CloudFormationClient({}),
  ) {}

  async get(name: string): Promise<string> {
    this.outputs ??= this.read().catch((error) => {
      this.outputs = undefined;
      throw error;
    });
    const value = (await this.outputs)[name];
    if (!value) {
      throw new CliError(
        `stack ${this.stack} has no ${name} output; deploy the Tollgate stack with \`npx cdk deploy\``,
      );
    }
    return value;
  }

  private async read(): Promise<Record<string, string>> {
    try {
      const answer = await this.client().send(new DescribeStacksCommand({ StackName: this.stack }));
      const outputs = answer.Stacks?.[0]?.Outputs ?? [];
      return Object.fromEntries(
        outputs.flatMap((o) => (o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [])),
      );
    } catch (error) {
      throw new CliError(
        `cannot read stack ${this.stack}: ${(error as Error).message.split('\n')[0]}`,
        ExitCode.Unreachable,
        { cause: error },
      );
    }
  }
}
