import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DynamoDbLockTable,
  LOCK_TABLE_TTL_ATTRIBUTE,
  lockRecordTtlSeconds,
} from '../../../../../../functions/shared/adapters/aws/dynamodb-lock-table.js';
import { ManualClock } from '../../../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../../../functions/shared/config/load-config.js';
import { validConfig } from '../../../../../support/config-fixtures.js';
import { FakeDynamoDb } from '../../../../../support/fake-dynamodb.js';
import { lockTableContract } from '../../ports/lock-table.contract.js';

const TTL = 30 * 3600;

describe('DynamoDbLockTable', () => {
  const dynamo = mockClient(DynamoDBClient);
  afterEach(() => {
    dynamo.reset();
  });

  lockTableContract('DynamoDbLockTable', async () => {
    new FakeDynamoDb('locks').install(dynamo);
    return {
      table: new DynamoDbLockTable({
        client: new DynamoDBClient({}),
        tableName: 'locks',
        recordTtlSeconds: TTL,
      }),
      other: new DynamoDbLockTable({
        client: new DynamoDBClient({}),
        tableName: 'locks',
        recordTtlSeconds: TTL,
      }),
    };
  });

  it('reads strongly consistently and conditions the create on the item not existing', async () => {
    // Arrange
    new FakeDynamoDb('locks').install(dynamo);
    const table = new DynamoDbLockTable({
      client: new DynamoDBClient({}),
      tableName: 'locks',
      recordTtlSeconds: TTL,
    });
    // Act
    await table.put('guard-orders', { a: 1 }, 0);
    await table.get('guard-orders');
    // Assert
    expect(dynamo.commandCalls(PutItemCommand)[0].args[0].input.ConditionExpression).toBe(
      'attribute_not_exists(pk)',
    );
    expect(dynamo.commandCalls(GetItemCommand)[0].args[0].input.ConsistentRead).toBe(true);
  });

  it('passes through errors other than a failed condition unchanged', async () => {
    // Arrange
    dynamo
      .on(PutItemCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const table = new DynamoDbLockTable({
      client: new DynamoDBClient({}),
      tableName: 'locks',
      recordTtlSeconds: TTL,
    });
    // Act
    const put = table.put('k', 1, 0);
    // Assert
    await expect(put).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('writes the TTL attribute as epoch seconds recordTtlSeconds after each write', async () => {
    // Arrange
    new FakeDynamoDb('locks').install(dynamo);
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const table = new DynamoDbLockTable({
      client: new DynamoDBClient({}),
      tableName: 'locks',
      recordTtlSeconds: TTL,
      clock,
    });
    // Act
    await table.put('guard-orders', { a: 1 }, 0);
    clock.advance(3_600_000);
    await table.put('guard-orders', { a: 2 }, 1);
    // Assert
    const written = dynamo
      .commandCalls(PutItemCommand)
      .map((c) => c.args[0].input.Item?.[LOCK_TABLE_TTL_ATTRIBUTE]);
    const start = Date.parse('2026-03-01T00:00:00.000Z') / 1000;
    expect(written).toEqual([{ N: String(start + TTL) }, { N: String(start + 3600 + TTL) }]);
  });

  it('returns a record TTL past lease, maxWait and the longest gate, so no live holder or waiter loses the record', () => {
    const raw = validConfig({ concurrency: { mode: 'queued', lease: '2h', maxWait: '3d' } });
    raw.environments[1] = { ...raw.environments[1]!, approval: { approvers: ['ana'], timeout: '7d' } };
    const config = parseConfig(raw);
    expect(lockRecordTtlSeconds(config)).toBe(2 * 3600 + 3 * 86_400 + 7 * 86_400 + 86_400);
  });

  it('refuses a record TTL that is not a positive whole number of seconds', () => {
    for (const recordTtlSeconds of [0, -1, 1.5, Number.NaN, undefined]) {
      expect(
        () =>
          new DynamoDbLockTable({
            client: new DynamoDBClient({}),
            tableName: 'locks',
            recordTtlSeconds: recordTtlSeconds as never,
          }),
      ).toThrow(/recordTtlSeconds must be a positive whole number of seconds/);
    }
  });

  it('refuses a missing client or a malformed table name', () => {
    expect(
      () => new DynamoDbLockTable({ client: undefined as never, tableName: 'locks', recordTtlSeconds: TTL }),
    ).toThrow(/needs a DynamoDB client/);
    expect(
      () =>
        new DynamoDbLockTable({ client: new DynamoDBClient({}), tableName: 'a b', recordTtlSeconds: TTL }),
    ).toThrow(/table name "a b" is not valid/);
  });
});
