/**
 * Environment variables the CDK stack sets on every task function. One list, imported by the
 * stack and by the AWS wiring, so a renamed variable cannot silently fall out of sync.
 */
export const TASK_ENV = {
  config: 'TOLLGATE_CONFIG',
  artifactBucket: 'TOLLGATE_ARTIFACT_BUCKET',
  ledgerBucket: 'TOLLGATE_LEDGER_BUCKET',
  imageRepository: 'TOLLGATE_IMAGE_REPOSITORY',
  /** deploy and rollback: the URI task definitions pin images in (`<registry>/<repository>`). */
  imageRepositoryUri: 'TOLLGATE_IMAGE_REPOSITORY_URI',
  lockTable: 'TOLLGATE_LOCK_TABLE',
  notifyTopicArn: 'TOLLGATE_NOTIFY_TOPIC_ARN',
  approvalsTable: 'TOLLGATE_APPROVALS_TABLE',
  /** Optional: Secrets Manager id of a chat webhook URL that approval notices also go to. */
  webhookSecret: 'TOLLGATE_WEBHOOK_SECRET_ID',
  /** plan-run: where commits come from, `codecommit` or `github` (the config's aws block stays with the stack). */
  sourceKind: 'TOLLGATE_SOURCE_KIND',
  /** plan-run, GitHub sources: the push webhook's secret, which checks commit attestations. */
  pushWebhookSecret: 'TOLLGATE_PUSH_WEBHOOK_SECRET_ARN',
  /** JSON map environment → Secrets Manager id of its database connection secret. */
  databaseSecrets: 'TOLLGATE_DATABASE_SECRETS',
} as const;

export type TaskEnvKey = keyof typeof TASK_ENV;

/** Reads a required variable; a missing one is a deployment bug, so say which and where it comes from. */
export function requireEnv(key: TaskEnvKey, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[TASK_ENV[key]];
  if (!value) {
    throw new Error(
      `${TASK_ENV[key]} is not set; the TollgatePipeline construct sets it on every task function`,
    );
  }
  return value;
}
