import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { APPROVALS_TABLE } from '../../infra/constructs/approval-resources.js';
import type { MotoServer } from './moto-server.js';

/**
 * The approvals table as the stack declares it (APPROVALS_TABLE: partition key, TTL attribute, the
 * pending GSI and its INCLUDE projection, which keeps the token out of the index), on a moto_server.
 */
export async function createMotoApprovalsTable(
  moto: MotoServer,
): Promise<{ client: DynamoDBClient; tableName: string }> {
  const t = APPROVALS_TABLE;
  const client = new DynamoDBClient(moto.clientConfig);
  const tableName = `approvals-${randomUUID().slice(0, 8)}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: t.partitionKey, AttributeType: 'S' },
        { AttributeName: t.pendingKey, AttributeType: 'S' },
        { AttributeName: t.pendingSortKey, AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: t.partitionKey, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: t.pendingIndex,
          KeySchema: [
            { AttributeName: t.pendingKey, KeyType: 'HASH' },
            { AttributeName: t.pendingSortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...t.pendingProjection] },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: t.ttlAttribute, Enabled: true },
    }),
  );
  return { client, tableName };
}
