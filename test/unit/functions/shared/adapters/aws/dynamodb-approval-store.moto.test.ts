import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbApprovalStore } from '../../../../../../functions/shared/adapters/aws/dynamodb-approval-store.js';
import { APPROVALS_TABLE } from '../../../../../../infra/constructs/approval-resources.js';
import { createMotoApprovalsTable } from '../../../../../support/moto-approvals-table.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';
import { newApproval } from '../../../approve/approval-fixture.js';
import { approvalStoreContract } from '../../ports/approval-store.contract.js';

// A file of its own: aws-sdk-client-mock replaces every DynamoDBClient in the file that uses it.
describe.runIf(motoEnabled('DynamoDbApprovalStore on moto_server'))(
  'DynamoDbApprovalStore on moto_server',
  () => {
    let moto: MotoServer;
    beforeAll(async () => {
      moto = await startMotoServer();
    });
    afterAll(async () => {
      await moto?.stop();
    });

    approvalStoreContract('DynamoDbApprovalStore (moto)', async () => {
      const { client, tableName } = await createMotoApprovalsTable(moto);
      return {
        store: new DynamoDbApprovalStore({ client, tableName, pendingIndex: APPROVALS_TABLE.pendingIndex }),
        other: new DynamoDbApprovalStore({
          client: new DynamoDBClient(moto.clientConfig),
          tableName,
          pendingIndex: APPROVALS_TABLE.pendingIndex,
        }),
      };
    });

    it("keeps the token out of the pending index the stack projects, and sets the record's TTL", async () => {
      // Arrange
      const { client, tableName } = await createMotoApprovalsTable(moto);
      const store = new DynamoDbApprovalStore({ client, tableName, keepSeconds: 3600 });
      // Act
      const { record } = await store.createPending(newApproval(), 'the-token');
      // Assert
      const indexed = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: APPROVALS_TABLE.pendingIndex,
          KeyConditionExpression: '#p = :p',
          ExpressionAttributeNames: { '#p': APPROVALS_TABLE.pendingKey },
          ExpressionAttributeValues: { ':p': { S: 'pending' } },
        }),
      );
      expect(indexed.Items?.length).toBeGreaterThan(0);
      expect(JSON.stringify(indexed.Items)).not.toContain('the-token');
      const item = await client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: `approval#${record.id}` } } }),
      );
      expect(item.Item?.[APPROVALS_TABLE.ttlAttribute]).toEqual({
        N: String(Date.parse(newApproval().expiresAt) / 1000 + 3600),
      });
    });
    // The contract's stale writes are caught by the adapter's read; these races reach DynamoDB's own
    // conditions, which only a DynamoDB implementation can show holding.
    it('lets one of two handles voting at the same revision win, the other getting LockConflict', async () => {
      // Arrange
      const { client, tableName } = await createMotoApprovalsTable(moto);
      const a = new DynamoDbApprovalStore({ client, tableName });
      const b = new DynamoDbApprovalStore({ client: new DynamoDBClient(moto.clientConfig), tableName });
      const { record } = await a.createPending(newApproval({ minApprovals: 2 }), 't');
      const vote = (approver: string) => ({
        type: 'vote' as const,
        vote: {
          approver,
          as: approver,
          decision: 'approve' as const,
          comment: '',
          at: '2026-01-01T01:00:00.000Z',
        },
        outcome: 'pending' as const,
      });
      // Act
      const results = await Promise.allSettled([
        a.update(record.id, 1, vote('bob')),
        b.update(record.id, 1, vote('carol')),
      ]);
      // Assert
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((r) => (r as PromiseRejectedResult).reason.name)).toEqual(['Tollgate.LockConflict']);
      expect(await a.get(record.id)).toMatchObject({ revision: 2, votes: [expect.anything()] });
    });

    it('creates one record when two handles create the same approval at once', async () => {
      // Arrange
      const { client, tableName } = await createMotoApprovalsTable(moto);
      const a = new DynamoDbApprovalStore({ client, tableName });
      const b = new DynamoDbApprovalStore({ client: new DynamoDBClient(moto.clientConfig), tableName });
      // Act
      const results = await Promise.all([
        a.createPending(newApproval(), 't'),
        b.createPending(newApproval(), 't'),
      ]);
      // Assert
      expect(results.map((r) => r.created).sort()).toEqual([false, true]);
      expect(await a.get(newApproval().id)).toMatchObject({ revision: 1, status: 'pending' });
    });
  },
);
