import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';

/**
 * Environment variables the CDK stack sets on every task function. One list, imported by the
 * stack and by the AWS wiring, so a renamed variable cannot silently fall out of sync.
 */
export const TASK_ENV = {
  /**
   * sha256 of the config text the bundle carries (CONFIG_FILE). Lambda caps variables at 4 KB, so
   * the config itself travels with the code; the digest makes a config change show in the
   * template and the function's configuration.
   */
  configDigest: 'TOLLGATE_CONFIG_SHA256',
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

/** The file a function's bundle carries the pipeline config in, beside its `index.mjs`. */
export const CONFIG_FILE = 'tollgate-config.json';

/** The digest TASK_ENV.configDigest holds: sha256 of the config text, hex. */
export function configDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Where the running bundle keeps its config: beside the module itself (`/var/task/index.mjs` on
 * Lambda, `cdk.out/asset.<hash>/index.mjs` in the rehearsal). Bundled, this module's URL is the bundle's.
 */
export function bundledConfigPath(): string {
  return fileURLToPath(new URL(CONFIG_FILE, import.meta.url));
}

/**
 * Reads the config text a function's bundle carries; the AWS wiring calls it once per container.
 * The digest variable is not checked against the file: CloudFormation updates a function's code and
 * its configuration in two calls, and a cold start between them would see the new file beside the
 * old digest. Code and file come from one synth, so the file is the config the code was built with.
 */
export function readBundledConfig(path: string = bundledConfigPath()): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(
      `the pipeline config ${path} cannot be read (${code}); the TollgateFunction construct ships it ` +
        "in every function's bundle: deploy the function with it",
      { cause: error },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `the pipeline config ${path} is not JSON (${(error as Error).message.replace(/\s+/g, ' ')}); redeploy the stack to rewrite it`,
      { cause: error },
    );
  }
}
