import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import {
  LOCK_TABLE_TTL_ATTRIBUTE,
  lockRecordTtlSeconds,
} from '../../functions/shared/adapters/aws/dynamodb-lock-table.js';
import { parseConfig } from '../../functions/shared/config/load-config.js';
import { validConfig } from './config-fixtures.js';
import type { MotoServer } from './moto-server.js';

/**
 * A fresh lock table on a real moto_server, as the CDK stack creates it (partition key `pk`, TTL on
 * `expiresAt`), with the options DynamoDbLockTable takes for it under the default concurrency settings.
 */
export async function createMotoLockTable(
  moto: MotoServer,
): Promise<{ client: DynamoDBClient; tableName: string; recordTtlSeconds: number }> {
  const client = new DynamoDBClient(moto.clientConfig);
  const tableName = `locks-${randomUUID().slice(0, 8)}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: LOCK_TABLE_TTL_ATTRIBUTE, Enabled: true },
    }),
  );
  return { client, tableName, recordTtlSeconds: lockRecordTtlSeconds(parseConfig(validConfig())) };
}
