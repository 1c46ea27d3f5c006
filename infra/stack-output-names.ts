/**
 * Output names the CLI's `--aws` mode reads with DescribeStacks; renaming one breaks `tollgate --aws`.
 * Kept apart from the stack so the CLI can import the names without loading aws-cdk-lib.
 */
export const StackOutput = {
  StateMachineArn: 'StateMachineArn',
  ArtifactBucketName: 'ArtifactBucketName',
  LedgerBucketName: 'LedgerBucketName',
  LockTableName: 'LockTableName',
  ImageRepositoryName: 'ImageRepositoryName',
  WebhookUrl: 'WebhookUrl',
  WebhookSecretArn: 'WebhookSecretArn',
  ApproveUrl: 'ApproveUrl',
  ApproverPolicyArn: 'ApproverPolicyArn',
  ApprovalsTableName: 'ApprovalsTableName',
  NotifyTopicArn: 'NotifyTopicArn',
} as const;
