import { DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLockTable } from '../../../../../../functions/shared/adapters/aws/dynamodb-lock-table.js';
import { ManualClock } from '../../../../../../functions/shared/clock.js';
import { createMotoLockTable } from '../../../../../support/moto-lock-table.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';
import { lockTableContract } from '../../ports/lock-table.contract.js';

// A file of its own: aws-sdk-client-mock replaces every DynamoDBClient in the file that uses it.
describe.runIf(motoEnabled('DynamoDbLockTable on moto_server'))('DynamoDbLockTable on moto_server', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMotoServer();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  lockTableContract('DynamoDbLockTable (moto)', async () => {
    const { client, tableName, recordTtlSeconds } = await createMotoLockTable(moto);
    return {
      table: new DynamoDbLockTable({ client, tableName, recordTtlSeconds }),
      other: new DynamoDbLockTable({
        client: new DynamoDBClient(moto.clientConfig),
        tableName,
        recordTtlSeconds,
      }),
    };
  });

  it("writes each record's expiry in the attribute the table's TTL reads, moved on by every write", async () => {
    // Arrange
    const { client, tableName, recordTtlSeconds } = await createMotoLockTable(moto);
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const table = new DynamoDbLockTable({ client, tableName, recordTtlSeconds, clock });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const attribute = ttl.TimeToLiveDescription?.AttributeName as string;
    const expiry = async () =>
      (await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'guard-orders' } } })))
        .Item?.[attribute]?.N;

    // Act
    await table.put('guard-orders', { holder: 'a' }, 0);
    const first = await expiry();
    clock.advance(60_000);
    await table.put('guard-orders', { holder: 'b' }, 1);
    const second = await expiry();

    // Assert
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
    const start = Date.parse('2026-03-01T00:00:00.000Z') / 1000;
    expect([first, second]).toEqual([
      String(start + recordTtlSeconds),
      String(start + 60 + recordTtlSeconds),
    ]);
    expect((await table.get('guard-orders'))?.value).toEqual({ holder: 'b' });
  });
});
