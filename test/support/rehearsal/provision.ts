// biome-ignore-all lint/suspicious/noExplicitAny: CloudFormation resource properties are untyped
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CreateDBClusterCommand, CreateDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import pg from 'pg';
import { seedProd } from '../../../examples/orders-service/seed/seed-prod.mjs';
import { migrateDatabase } from '../../../functions/migrate-database/migrate-database.js';
import { loadMigrationsFromDir } from '../../../functions/migrate-database/migration-files.js';
import { DATABASE_NAME, DATABASE_USER } from '../../../functions/shared/adapters/local/database-password.js';
import { systemClock } from '../../../functions/shared/clock.js';
import type { TollgateConfigInput } from '../../../functions/shared/config/schema.js';
import type { EcsEmulator } from './ecs-emulator.js';
import { MASTER_PASSWORD, type RdsDataPlane } from './rds-data-plane.js';
import { ACCOUNT, REGION, type TemplateModel } from './template-model.js';

/** The harness's own credentials: set-up calls are not any role's and are not checked. */
const ADMIN = { accessKeyId: 'rehearsal-admin', secretAccessKey: 'rehearsal' };

export function adminClientConfig(endpoint: string) {
  return { endpoint, region: REGION, credentials: ADMIN, forcePathStyle: true };
}

/** Secrets Manager name of each environment's connection secret (the config's `aws.databaseSecrets`). */
export function databaseSecretNames(config: TollgateConfigInput): Record<string, string> {
  const names = config.aws?.databaseSecrets ?? {};
  for (const env of config.environments.filter((e) => e.database))
    if (!names[env.name])
      throw new Error(`the rehearsal config names no aws.databaseSecrets entry for "${env.name}"`);
  return { ...names };
}

export interface Provisioned {
  /** Secret name → ARN (moto adds the random suffix). */
  readonly secretArns: Map<string, string>;
  /** Template logical id → physical id, for the resources whose id the emulator chose. */
  readonly overrides: Record<string, string>;
}

/**
 * What CloudFormation would create from the template (buckets with Object Lock, tables with their
 * keys and indexes, the topic, the repository, the secret), created in moto; plus what the user's
 * account already holds: prod's Aurora cluster with its data, each environment's cluster and
 * connection secret, and the ECS services running a first task definition.
 */
export async function provisionStack(model: TemplateModel, moto: string): Promise<Provisioned> {
  const c = adminClientConfig(moto);
  const s3 = new S3Client(c);
  for (const id of model.ofType('AWS::S3::Bucket')) {
    const p = model.resources[id].Properties ?? {};
    const Bucket = model.physicalName(id);
    await s3.send(
      new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: p.ObjectLockEnabled === true }),
    );
    if (p.VersioningConfiguration?.Status === 'Enabled' || p.ObjectLockEnabled)
      await s3.send(
        new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }),
      );
    if (p.ObjectLockConfiguration?.Rule)
      await s3.send(
        new PutObjectLockConfigurationCommand({ Bucket, ObjectLockConfiguration: p.ObjectLockConfiguration }),
      );
  }
  const dynamo = new DynamoDBClient(c);
  for (const id of model.ofType('AWS::DynamoDB::Table')) {
    const p = model.resources[id].Properties;
    const TableName = model.physicalName(id);
    await dynamo.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: p.AttributeDefinitions,
        KeySchema: p.KeySchema,
        BillingMode: p.BillingMode ?? 'PAY_PER_REQUEST',
        ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes } : {}),
      }),
    );
    if (p.TimeToLiveSpecification?.Enabled)
      await dynamo.send(
        new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: p.TimeToLiveSpecification }),
      );
  }
  const sns = new SNSClient(c);
  for (const id of model.ofType('AWS::SNS::Topic'))
    await sns.send(new CreateTopicCommand({ Name: model.physicalName(id) }));
  const ecr = new ECRClient(c);
  for (const id of model.ofType('AWS::ECR::Repository'))
    await ecr.send(new CreateRepositoryCommand({ repositoryName: model.physicalName(id) }));

  const secrets = new SecretsManagerClient(c);
  const secretArns = new Map<string, string>();
  const overrides: Record<string, string> = {};
  for (const id of model.ofType('AWS::SecretsManager::Secret')) {
    const Name = model.physicalName(id);
    const out = await secrets.send(
      new CreateSecretCommand({ Name, SecretString: 'rehearsal-webhook-secret' }),
    );
    secretArns.set(Name, out.ARN!);
    overrides[id] = out.ARN!;
  }
  return { secretArns, overrides };
}

/**
 * An Aurora cluster in moto plus its database in the data plane (a copy of `copyOf`'s, else empty);
 * returns its endpoint.
 */
export async function createCluster(
  moto: string,
  data: RdsDataPlane,
  id: string,
  copyOf?: string,
): Promise<string> {
  const rds = new RDSClient(adminClientConfig(moto));
  const out = await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: 'aurora-postgresql',
      MasterUsername: DATABASE_USER,
      MasterUserPassword: MASTER_PASSWORD,
      DatabaseName: DATABASE_NAME,
    }),
  );
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: `${id}-1`,
      DBClusterIdentifier: id,
      Engine: 'aurora-postgresql',
      DBInstanceClass: 'db.serverless',
    }),
  );
  const host = out.DBCluster!.Endpoint!;
  if (copyOf) await data.restore(copyOf, id, host);
  else await data.create(id, host);
  return host;
}

/** The schema the first release shipped (its migrations). */
export async function migrateSchema(url: string, migrationsDir: string): Promise<void> {
  await migrateDatabase(
    { connectionString: url, migrations: loadMigrationsFromDir(migrationsDir) },
    { clock: systemClock },
  );
}

/** Prod's customers and orders, PII included (case-duplicate e-mail addresses among them). */
export async function seedCustomers(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await seedProd(client, { customers: 100, orders: 500, seed: 42 });
  } finally {
    await client.end();
  }
}

/** A connection secret in the RDS secret shape, pointing at the cluster. */
export async function createDatabaseSecret(
  moto: string,
  name: string,
  clusterId: string,
  host: string,
): Promise<string> {
  const secrets = new SecretsManagerClient(adminClientConfig(moto));
  const out = await secrets.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: JSON.stringify({
        engine: 'postgres',
        host,
        port: 5432,
        username: DATABASE_USER,
        password: MASTER_PASSWORD,
        dbname: DATABASE_NAME,
        dbClusterIdentifier: clusterId,
        // The emulated cluster's wire server speaks plain Postgres; a real one gets verify-full.
        sslmode: 'disable',
      }),
    }),
  );
  return out.ARN!;
}

/** The service as the platform team runs it before Tollgate: a first task definition. */
export async function createEcsService(
  ecs: EcsEmulator,
  cluster: string,
  service: string,
  container: string,
  desiredCount = 1,
) {
  return ecs.createService(
    cluster,
    service,
    {
      family: service,
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/orders-service-task`,
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/orders-service-execution`,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: container,
          image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/orders-service:baseline`,
          essential: true,
        },
      ],
    },
    desiredCount,
  );
}
