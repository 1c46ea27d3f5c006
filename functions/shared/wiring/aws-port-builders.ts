import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { AuroraCloneSnapshotProvider } from '../adapters/aws/aurora-clone-snapshot-provider.js';
import { CachedSecret } from '../adapters/aws/cached-secret.js';
import { CloudWatchChecks } from '../adapters/aws/cloudwatch-checks.js';
import { CloudWatchMetricsSource } from '../adapters/aws/cloudwatch-metrics-source.js';
import { CodeBuildTestRunner } from '../adapters/aws/codebuild-test-runner.js';
import { CodeCommitSourceRepository } from '../adapters/aws/codecommit-source-repository.js';
import { DynamoDbApprovalStore } from '../adapters/aws/dynamodb-approval-store.js';
import { DynamoDbLockTable, lockRecordTtlSeconds } from '../adapters/aws/dynamodb-lock-table.js';
import { EcrImageRegistry } from '../adapters/aws/ecr-image-registry.js';
import { EcsDeployer } from '../adapters/aws/ecs-deployer.js';
import { EcsReleaseTrials } from '../adapters/aws/ecs-release-trials.js';
import { ElbTrafficRouter } from '../adapters/aws/elb-traffic-router.js';
import { FlashArrayClient, flashArraySecret } from '../adapters/aws/flasharray-client.js';
import { FlashArraySnapshotProvider } from '../adapters/aws/flasharray-snapshot-provider.js';
import { S3ArtifactStore } from '../adapters/aws/s3-artifact-store.js';
import { S3Ledger } from '../adapters/aws/s3-ledger.js';
import { SfnTaskCallback } from '../adapters/aws/sfn-task-callback.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { WebhookAttestedSource } from '../adapters/aws/webhook-attested-source.js';
import { WebhookNotifier } from '../adapters/aws/webhook-notifier.js';
import { FanOutNotifier } from '../approvals/fan-out-notifier.js';
import { systemClock } from '../clock.js';
import type { TollgateConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Notifier } from '../ports/notifier.js';
import type { TollgatePorts } from '../ports/tollgate-ports.js';
import { testStageProjectName } from '../test-stage-project.js';
import { requireEnv, TASK_ENV } from './env.js';

/*
 * One builder per AWS port. A handler imports only the builders of the ports it uses, and esbuild
 * drops every other builder and its SDK client from that function's bundle (the SDK packages are
 * side-effect free), which is what keeps each bundle under Lambda's 1 MB budget. Keep each builder a
 * separate top-level export with no module-level state, or tree shaking stops working.
 */

export interface AwsWiringContext {
  readonly env: NodeJS.ProcessEnv;
  readonly config: TollgateConfig;
}

/** The ports that need AWS; `config` and `clock` come with every task. */
export type AwsPortName = Exclude<keyof TollgatePorts, 'config' | 'clock'>;
export type AwsPortBuilder<K extends AwsPortName> = (context: AwsWiringContext) => TollgatePorts[K];

export const awsArtifacts: AwsPortBuilder<'artifacts'> = ({ env }) =>
  new S3ArtifactStore({ client: new S3Client({}), bucket: requireEnv('artifactBucket', env) });

export const awsImages: AwsPortBuilder<'images'> = ({ env }) =>
  new EcrImageRegistry({ client: new ECRClient({}), repositoryName: requireEnv('imageRepository', env) });

export const awsDeployer: AwsPortBuilder<'deployer'> = ({ env, config }) =>
  new EcsDeployer({
    client: new ECSClient({}),
    config,
    imageRepositoryUri: requireEnv('imageRepositoryUri', env),
  });

export const awsTrials: AwsPortBuilder<'trials'> = ({ config }) =>
  new EcsReleaseTrials({ config, client: new ECSClient({}) });

export const awsLedger: AwsPortBuilder<'ledger'> = ({ env, config }) =>
  new S3Ledger({
    client: new S3Client({}),
    bucket: requireEnv('ledgerBucket', env),
    retentionSeconds: config.ledger.retention,
  });

export const awsLocks: AwsPortBuilder<'locks'> = ({ env, config }) =>
  new DynamoDbLockTable({
    client: new DynamoDBClient({}),
    tableName: requireEnv('lockTable', env),
    recordTtlSeconds: lockRecordTtlSeconds(config),
  });

export const awsNotifier: AwsPortBuilder<'notifier'> = ({ env }) => {
  const targets: Array<{ name: string; notifier: Notifier }> = [
    {
      name: 'sns',
      notifier: new SnsNotifier({ client: new SNSClient({}), topicArn: requireEnv('notifyTopicArn', env) }),
    },
  ];
  const secretId = env[TASK_ENV.webhookSecret];
  if (secretId) {
    targets.push({
      name: 'webhook',
      notifier: new WebhookNotifier({
        url: new CachedSecret(new SecretsManagerClient({}), secretId, systemClock),
        secretId,
      }),
    });
  }
  return new FanOutNotifier(targets);
};

/** Per-release reads (a canary step's) learn from the traffic router which target group serves which release. */
export const awsMetrics: AwsPortBuilder<'metrics'> = (context) =>
  new CloudWatchMetricsSource({
    client: new CloudWatchClient({}),
    config: context.config,
    traffic: awsTraffic(context),
  });

/** The listener rule's weights and the canary service (environments with deploy.canary). */
export const awsTraffic: AwsPortBuilder<'traffic'> = ({ config }) =>
  new ElbTrafficRouter({ config, ecs: new ECSClient({}), elb: new ElasticLoadBalancingV2Client({}) });

export const awsCloudChecks: AwsPortBuilder<'cloudChecks'> = () =>
  new CloudWatchChecks(new CloudWatchClient({}));

export const awsApprovals: AwsPortBuilder<'approvals'> = ({ env }) =>
  new DynamoDbApprovalStore({ client: new DynamoDBClient({}), tableName: requireEnv('approvalsTable', env) });

/** Test stages run as builds of the pipeline's test-stage project, in the environments' network. */
export const awsTestRunner: AwsPortBuilder<'testRunner'> = ({ env, config }) =>
  new CodeBuildTestRunner({
    codebuild: new CodeBuildClient({}),
    s3: new S3Client({}),
    config,
    projectName: testStageProjectName(config),
    bucket: requireEnv('artifactBucket', env),
    databaseSecrets: databaseSecrets(env),
  });

export const awsCallback: AwsPortBuilder<'callback'> = () => new SfnTaskCallback(new SFNClient({}));

/**
 * CodeCommit answers whether a commit exists; for a GitHub source the webhook's attestation is the
 * proof (nothing in AWS can ask GitHub), checked with the push webhook's secret.
 */
export const awsSource: AwsPortBuilder<'source'> = ({ env }) => {
  const kind = requireEnv('sourceKind', env);
  if (kind === 'codecommit') return new CodeCommitSourceRepository({ client: new CodeCommitClient({}) });
  if (kind === 'github') {
    const secretArn = requireEnv('pushWebhookSecret', env);
    return new WebhookAttestedSource(new CachedSecret(new SecretsManagerClient({}), secretArn, systemClock));
  }
  throw new ConfigError(`${TASK_ENV.sourceKind} is "${kind}"; the stack sets codecommit or github`);
};

/**
 * The configured provider. Both providers live in this one builder: a pipeline picks one at deploy
 * time, and the data tasks cannot know which, so each carries both (RDS client included).
 */
export const awsSnapshots: AwsPortBuilder<'snapshots'> = ({ env, config }) => {
  const database = config.database;
  if (!database)
    throw new ConfigError('this pipeline has no "database" block, so it has no snapshot provider');
  const provider = database.provider;
  const secrets = new SecretsManagerClient({});
  switch (provider.type) {
    case 'flasharray': {
      const secret = flashArraySecret(secrets, provider.apiTokenSecret);
      return new FlashArraySnapshotProvider({
        client: new FlashArrayClient({
          endpoint: provider.endpoint,
          apiToken: secret.apiToken,
          caBundle: secret.caBundle,
        }),
        ...(provider.protectionGroup ? { protectionGroup: provider.protectionGroup } : {}),
        connections: Object.fromEntries(
          Object.entries(databaseSecrets(env)).map(([e, arn]) => [e, { secretArn: arn }]),
        ),
        protectedVolumes: [database.source],
      });
    }
    case 'aurora-clone':
      return new AuroraCloneSnapshotProvider({
        rds: new RDSClient({}),
        secrets,
        sourceClusterId: provider.sourceClusterId,
        instanceClass: provider.instanceClass,
        connectionSecrets: databaseSecrets(env),
        // refresh-data names production's volume after database.source unless volumes are mapped.
        sourceVolume: database.source,
      });
    case 'local':
      throw new ConfigError(
        'database.provider "local" runs only in the local runtime; choose flasharray or aurora-clone for AWS',
      );
  }
};

function databaseSecrets(env: NodeJS.ProcessEnv): Record<string, string> {
  try {
    return JSON.parse(requireEnv('databaseSecrets', env)) as Record<string, string>;
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new ConfigError(`${TASK_ENV.databaseSecrets} is not a JSON object`);
    throw error;
  }
}
