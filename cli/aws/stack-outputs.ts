import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { StackOutput } from '../../infra/stack-output-names.js';
import { CliError, ExitCode } from '../client/cli-error.js';

export { StackOutput as StackOutputName };

/** What DescribeStacks says about the deployed stack: its status and every output it has. */
export interface StackDescription {
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
}

/** The deployed stack's outputs, read once with DescribeStacks and only when first needed. */
export class StackOutputs {
  private description: Promise<StackDescription> | undefined;

  constructor(
    readonly stack: string,
    private readonly client: () => CloudFormationClient = () => new CloudFormationClient({}),
  ) {}

  async get(name: string): Promise<string> {
    const value = (await this.describe()).outputs[name];
    if (!value) {
      throw new CliError(
        `stack ${this.stack} has no ${name} output; deploy the Tollgate stack with \`npx cdk deploy\``,
      );
    }
    return value;
  }

  /** The stack's status and all of its outputs (doctor reports every missing one at once). */
  describe(): Promise<StackDescription> {
    this.description ??= this.read().catch((error) => {
      this.description = undefined;
      throw error;
    });
    return this.description;
  }

  private async read(): Promise<StackDescription> {
    try {
      const answer = await this.client().send(new DescribeStacksCommand({ StackName: this.stack }));
      const stack = answer.Stacks?.[0];
      const outputs = stack?.Outputs ?? [];
      return {
        status: stack?.StackStatus ?? 'UNKNOWN',
        outputs: Object.fromEntries(
          outputs.flatMap((o) => (o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [])),
        ),
      };
    } catch (error) {
      throw new CliError(
        `cannot read stack ${this.stack}: ${(error as Error).message.split('\n')[0]}`,
        ExitCode.Unreachable,
        { cause: error },
      );
    }
  }
}
