import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDbApprovalStore } from '../adapters/aws/dynamodb-approval-store.js';
import { S3ArtifactStore } from '../adapters/aws/s3-artifact-store.js';
import { S3Ledger } from '../adapters/aws/s3-ledger.js';
import { SfnTaskCallback } from '../adapters/aws/sfn-task-callback.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { WebhookNotifier } from '../adapters/aws/webhook-notifier.js';
import { systemClock } from '../clock.js';
import type { TollgateConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Notifier } from '../ports/notifier.js';
import { requireEnv, TASK_ENV } from '../wiring/env.js';
import { lazyPorts } from '../wiring/lazy-ports.js';
import type { ApprovalTaskPorts } from './approval-ports.js';
import { FanOutNotifier } from './fan-out-notifier.js';

/** Variables the stack sets on the approval functions, beyond the shared TASK_ENV ones. */
export const APPROVAL_ENV = {
  approvalsTable: 'TOLLGATE_APPROVALS_TABLE',
  /** Optional: Secrets Manager id of a chat webhook URL. */
  webhookSecret: 'TOLLGATE_WEBHOOK_SECRET_ID',
} as const;

/**
 * The AWS wiring of the approval functions. Each port is built on first use, so approve never
 * constructs an SNS client and request-approval never an SFN one, and the ports these functions
 * never use (images, deployer, locks, metrics) throw if touched instead of quietly existing.
 */
export async function awsApprovalPorts(env: NodeJS.ProcessEnv = process.env): Promise<ApprovalTaskPorts> {
  const config = parseDeployedConfig(requireEnv('config', env));
  const unused = (name: string) => () => {
    throw new ConfigError(`the approval functions are not wired with ${name}`);
  };
  const base = lazyPorts({
    config: () => config,
    clock: () => systemClock,
    artifacts: () =>
      new S3ArtifactStore({ client: new S3Client({}), bucket: requireEnv('artifactBucket', env) }),
    ledger: () =>
      new S3Ledger({
        client: new S3Client({}),
        bucket: requireEnv('ledgerBucket', env),
        retentionSeconds: config.ledger.retention,
      }),
    notifier: () => notifier(env),
    images: unused('an image registry'),
    deployer: unused('a deployer'),
    locks: unused('a lock table'),
    metrics: unused('a metrics source'),
  });
  let approvals: DynamoDbApprovalStore | undefined;
  let callback: SfnTaskCallback | undefined;
  return Object.defineProperties(base, {
    approvals: {
      enumerable: true,
      get: () => {
        approvals ??= new DynamoDbApprovalStore({
          client: new DynamoDBClient({}),
          tableName: required(APPROVAL_ENV.approvalsTable, env),
        });
        return approvals;
      },
    },
    callback: {
      enumerable: true,
      get: () => {
        callback ??= new SfnTaskCallback(new SFNClient({}));
        return callback;
      },
    },
  }) as ApprovalTaskPorts;
}

function notifier(env: NodeJS.ProcessEnv): Notifier {
  const targets: Array<{ name: string; notifier: Notifier }> = [
    {
      name: 'sns',
      notifier: new SnsNotifier({ client: new SNSClient({}), topicArn: requireEnv('notifyTopicArn', env) }),
    },
  ];
  const secretId = env[APPROVAL_ENV.webhookSecret];
  if (secretId) {
    targets.push({
      name: 'webhook',
      notifier: new WebhookNotifier({ secrets: new SecretsManagerClient({}), secretId }),
    });
  }
  return new FanOutNotifier(targets);
}

function required(name: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} is not set; the stack sets it on the approval functions`);
  return value;
}

/** The stack stores the already-validated config (durations in seconds), so it is read, not re-parsed. */
function parseDeployedConfig(text: string): TollgateConfig {
  let config: TollgateConfig;
  try {
    config = JSON.parse(text) as TollgateConfig;
  } catch {
    throw new ConfigError(`${TASK_ENV.config} is not valid JSON`);
  }
  if (!config || typeof config.name !== 'string' || !Array.isArray(config.environments) || !config.ledger)
    throw new ConfigError(`${TASK_ENV.config} does not hold a validated Tollgate config`);
  return config;
}
