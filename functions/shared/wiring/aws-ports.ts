import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDbLockTable } from '../adapters/aws/dynamodb-lock-table.js';
import { EcrImageRegistry } from '../adapters/aws/ecr-image-registry.js';
import { EcsDeployer } from '../adapters/aws/ecs-deployer.js';
import { S3ArtifactStore } from '../adapters/aws/s3-artifact-store.js';
import { systemClock } from '../clock.js';
import { parseConfig } from '../config/load-config.js';
import type { PortsFactory, TollgatePorts } from '../ports/tollgate-ports.js';
import { requireEnv } from './env.js';
import { lazyPorts } from './lazy-ports.js';

let ports: TollgatePorts | undefined;

/**
 * The AWS side of every port, built from the environment the TollgatePipeline construct sets.
 * Clients are created on first use, per container, so a task only needs permissions for the ports
 * it actually touches.
 */
export const awsPorts: PortsFactory = async () => {
  ports ??= await buildAwsPorts(process.env);
  return ports;
};

export async function buildAwsPorts(env: NodeJS.ProcessEnv): Promise<TollgatePorts> {
  // Loaded on demand: the local runner imports every handler.ts, and these adapters pull in
  // clients local mode never uses.
  const [{ CloudWatchMetricsSource }, { S3Ledger }, { SnsNotifier }] = await Promise.all([
    import('../adapters/aws/cloudwatch-metrics-source.js'),
    import('../adapters/aws/s3-ledger.js'),
    import('../adapters/aws/sns-notifier.js'),
  ]);
  const config = parseConfig(
    JSON.parse(requireEnv('config', env)),
    'the TOLLGATE_CONFIG environment variable',
  );
  const s3 = new S3Client({});
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
    notifier: () =>
      new SnsNotifier({ client: new SNSClient({}), topicArn: requireEnv('notifyTopicArn', env) }),
    metrics: () => new CloudWatchMetricsSource({ client: new CloudWatchClient({}), config }),
  });
}
