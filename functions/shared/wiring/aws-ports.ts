import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { AuroraCloneSnapshotProvider } from '../adapters/aws/aurora-clone-snapshot-provider.js';
import { CloudWatchMetricsSource } from '../adapters/aws/cloudwatch-metrics-source.js';
import { CodeCommitSourceRepository } from '../adapters/aws/codecommit-source-repository.js';
import { DynamoDbApprovalStore } from '../adapters/aws/dynamodb-approval-store.js';
import { DynamoDbLockTable } from '../adapters/aws/dynamodb-lock-table.js';
import { EcrImageRegistry } from '../adapters/aws/ecr-image-registry.js';
import { EcsDeployer } from '../adapters/aws/ecs-deployer.js';
import { apiTokenFromSecret, FlashArrayClient } from '../adapters/aws/flasharray-client.js';
import { FlashArraySnapshotProvider } from '../adapters/aws/flasharray-snapshot-provider.js';
import { S3ArtifactStore } from '../adapters/aws/s3-artifact-store.js';
import { S3Ledger } from '../adapters/aws/s3-ledger.js';
import { SfnTaskCallback } from '../adapters/aws/sfn-task-callback.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { WebhookNotifier } from '../adapters/aws/webhook-notifier.js';
import { FanOutNotifier } from '../approvals/fan-out-notifier.js';
import { systemClock } from '../clock.js';
import { parseConfig } from '../config/load-config.js';
import type { TollgateConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Notifier } from '../ports/notifier.js';
import type { SnapshotProvider } from '../ports/snapshot-provider.js';
import type { PortsFactory, TollgatePorts } from '../ports/tollgate-ports.js';
import { requireEnv, TASK_ENV } from './env.js';
import { lazyPorts } from './lazy-ports.js';

let ports: TollgatePorts | undefined;

/**
 * The AWS side of every port, built from the environment the TollgatePipeline construct sets.
 * Each port (and its client) is created on first use, per container, so a task needs permissions
 * only for the ports it touches; IAM, not this file, is what keeps a task away from the rest.
 */
export const awsPorts: PortsFactory = async () => {
  ports ??= buildAwsPorts(process.env);
  return ports;
};

export function buildAwsPorts(env: NodeJS.ProcessEnv): TollgatePorts {
  // The stack stores the config as written; validating it here again means a hand-edited variable
  // fails loudly instead of running with a half-understood config.
  const config = parseConfig(
    JSON.parse(requireEnv('config', env)),
    `the ${TASK_ENV.config} environment variable`,
  );
  const s3 = new S3Client({});
  const secrets = new SecretsManagerClient({});
  return lazyPorts({
    config: () => config,
    clock: () => systemClock,
    artifacts: () => new S3ArtifactStore({ client: s3, bucket: requireEnv('artifactBucket', env) }),
    images: () =>
      new EcrImageRegistry({ client: new ECRClient({}), repositoryName: requireEnv('imageRepository', env) }),
    deployer: () => new EcsDeployer({ client: new ECSClient({}), config }),
    ledger: () =>
      new S3Ledger({
        client: s3,
        bucket: requireEnv('ledgerBucket', env),
        retentionSeconds: config.ledger.retention,
      }),
    locks: () =>
      new DynamoDbLockTable({ client: new DynamoDBClient({}), tableName: requireEnv('lockTable', env) }),
    notifier: () => notifier(env, secrets),
    metrics: () => new CloudWatchMetricsSource({ client: new CloudWatchClient({}), config }),
    snapshots: () => snapshotProvider(config, env, secrets),
    approvals: () =>
      new DynamoDbApprovalStore({
        client: new DynamoDBClient({}),
        tableName: requireEnv('approvalsTable', env),
      }),
    callback: () => new SfnTaskCallback(new SFNClient({})),
    source: () => new CodeCommitSourceRepository({ client: new CodeCommitClient({}) }),
  });
}

function notifier(env: NodeJS.ProcessEnv, secrets: SecretsManagerClient): Notifier {
  const targets: Array<{ name: string; notifier: Notifier }> = [
    {
      name: 'sns',
      notifier: new SnsNotifier({ client: new SNSClient({}), topicArn: requireEnv('notifyTopicArn', env) }),
    },
  ];
  const secretId = env[TASK_ENV.webhookSecret];
  if (secretId) targets.push({ name: 'webhook', notifier: new WebhookNotifier({ secrets, secretId }) });
  return new FanOutNotifier(targets);
}

function databaseSecrets(env: NodeJS.ProcessEnv): Record<string, string> {
  try {
    return JSON.parse(requireEnv('databaseSecrets', env)) as Record<string, string>;
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new ConfigError(`${TASK_ENV.databaseSecrets} is not a JSON object`);
    throw error;
  }
}

function snapshotProvider(
  config: TollgateConfig,
  env: NodeJS.ProcessEnv,
  secrets: SecretsManagerClient,
): SnapshotProvider {
  const database = config.database;
  if (!database)
    throw new ConfigError('this pipeline has no "database" block, so it has no snapshot provider');
  const provider = database.provider;
  switch (provider.type) {
    case 'flasharray':
      return new FlashArraySnapshotProvider({
        client: new FlashArrayClient({
          endpoint: provider.endpoint,
          apiToken: apiTokenFromSecret(secrets, provider.apiTokenSecret),
        }),
        ...(provider.protectionGroup ? { protectionGroup: provider.protectionGroup } : {}),
        connections: Object.fromEntries(
          Object.entries(databaseSecrets(env)).map(([e, arn]) => [e, { secretArn: arn }]),
        ),
        protectedVolumes: [database.source],
      });
    case 'aurora-clone':
      return new AuroraCloneSnapshotProvider({
        rds: new RDSClient({}),
        secrets,
        sourceClusterId: provider.sourceClusterId,
        instanceClass: provider.instanceClass,
        connectionSecrets: databaseSecrets(env),
      });
    case 'local':
      throw new ConfigError(
        'database.provider "local" runs only in the local runtime; choose flasharray or aurora-clone for AWS',
      );
  }
}
