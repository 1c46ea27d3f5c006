import { StackOutputName } from './stack-outputs.js';

export interface RequiredOutput {
  readonly name: (typeof StackOutputName)[keyof typeof StackOutputName];
  /** What stops working without it, as doctor says it. */
  readonly breaks: string;
}

/**
 * The outputs `--aws` commands and `console --aws` read (cli-context, aws-decisions, aws-console),
 * with what each one's absence breaks, so `tollgate doctor --aws` can name the consequence instead
 * of leaving it to the first command that needs it.
 */
export const REQUIRED_OUTPUTS: readonly RequiredOutput[] = [
  {
    name: StackOutputName.StateMachineArn,
    breaks: 'runs, show and the console cannot find the runs',
  },
  {
    name: StackOutputName.LedgerBucketName,
    breaks: 'envs, show and the console cannot read the ledger',
  },
  {
    name: StackOutputName.ApprovalsTableName,
    breaks: 'approve, reject and the console inbox cannot find pending approvals',
  },
  {
    name: StackOutputName.ApproveUrl,
    breaks: 'approve, reject and the console cannot decide',
  },
  {
    name: StackOutputName.ArtifactBucketName,
    breaks: "deploy and the console's Deploy to … cannot find the release",
  },
];
