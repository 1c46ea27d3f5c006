import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MotoServer } from './moto-server.js';

/** A fresh lock table (partition key `pk`, as the CDK stack creates it) on a real moto_server. */
export async function createMotoLockTable(
  moto: MotoServer,
): Promise<{ client: DynamoDBClient; tableName: string }> {
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
  return { client, tableName };
}
