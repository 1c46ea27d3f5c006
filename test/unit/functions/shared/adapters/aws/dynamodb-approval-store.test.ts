import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDbApprovalStore } from '../../../../../../functions/shared/adapters/aws/dynamodb-approval-store.js';
import { FakeDynamoDb } from '../../../../../support/fake-dynamodb.js';
import { newApproval } from '../../../approve/approval-fixture.js';
import { approvalStoreContract } from '../../ports/approval-store.contract.js';

const INDEXES = { pending: { partition: 'pending', sort: 'requestedAt' } };
const open = () => new DynamoDbApprovalStore({ client: new DynamoDBClient({}), tableName: 'approvals' });

describe('DynamoDbApprovalStore', () => {
  const dynamo = mockClient(DynamoDBClient);
  afterEach(() => {
    dynamo.reset();
  });

  approvalStoreContract('DynamoDbApprovalStore', async () => {
    new FakeDynamoDb('approvals', INDEXES, 2).install(dynamo);
    return { store: open(), other: open() };
  });

  it('keeps the token in its own item, out of the record item and the pending index', async () => {
    // Arrange
    const fake = new FakeDynamoDb('approvals', INDEXES).install(dynamo);
    // Act
    const { record } = await open().createPending(newApproval(), 'the-token');
    await open().listPending();
    await open().get(record.id);
    // Assert
    expect(JSON.stringify(fake.items.get(`approval#${record.id}`))).not.toContain('the-token');
    expect(fake.items.get(`token#${record.id}`)?.token).toEqual({ S: 'the-token' });
    expect(fake.items.get(`token#${record.id}`)?.pending).toBeUndefined();
    expect(dynamo.commandCalls(QueryCommand)[0].args[0].input.IndexName).toBe('pending');
    expect(dynamo.commandCalls(GetItemCommand)[0].args[0].input.Key).toEqual({
      pk: { S: `approval#${record.id}` },
    });
  });

  it('sets a TTL on the record some time after its expiry and removes it from the pending index once decided', async () => {
    // Arrange
    const fake = new FakeDynamoDb('approvals', INDEXES).install(dynamo);
    const store = new DynamoDbApprovalStore({
      client: new DynamoDBClient({}),
      tableName: 'approvals',
      keepSeconds: 3600,
    });
    const { record } = await store.createPending(newApproval(), 't');
    // Act
    await store.update(record.id, 1, {
      type: 'cancel',
      at: '2026-01-01T02:00:00.000Z',
      reason: 'superseded',
    });
    // Assert
    const item = fake.items.get(`approval#${record.id}`);
    expect(item?.ttl).toEqual({ N: String(Date.parse(newApproval().expiresAt) / 1000 + 3600) });
    expect(item?.pending).toBeUndefined();
  });
});
