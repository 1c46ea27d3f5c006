import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDbLockTable } from '../../../../../../functions/shared/adapters/aws/dynamodb-lock-table.js';
import { FakeDynamoDb } from '../../../../../support/fake-dynamodb.js';
import { lockTableContract } from '../../ports/lock-table.contract.js';

describe('DynamoDbLockTable', () => {
  const dynamo = mockClient(DynamoDBClient);
  afterEach(() => {
    dynamo.reset();
  });

  lockTableContract('DynamoDbLockTable', async () => {
    new FakeDynamoDb('locks').install(dynamo);
    return {
      table: new DynamoDbLockTable({ client: new DynamoDBClient({}), tableName: 'locks' }),
      other: new DynamoDbLockTable({ client: new DynamoDBClient({}), tableName: 'locks' }),
    };
  });

  it('reads strongly consistently and conditions the create on the item not existing', async () => {
    // Arrange
    new FakeDynamoDb('locks').install(dynamo);
    const table = new DynamoDbLockTable({ client: new DynamoDBClient({}), tableName: 'locks' });
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
    const table = new DynamoDbLockTable({ client: new DynamoDBClient({}), tableName: 'locks' });
    // Act
    const put = table.put('k', 1, 0);
    // Assert
    await expect(put).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('refuses a missing client or a malformed table name', () => {
    expect(() => new DynamoDbLockTable({ client: undefined as never, tableName: 'locks' })).toThrow(
      /needs a DynamoDB client/,
    );
    expect(() => new DynamoDbLockTable({ client: new DynamoDBClient({}), tableName: 'a b' })).toThrow(
      /table name "a b" is not valid/,
    );
  });
});
