import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  applyChange,
  pendingRecord,
  reopenedRecord,
  validateNewApproval,
} from '../../approvals/apply-change.js';
import { assertApprovalId, assertToken, tokenHash } from '../../approvals/approval-id.js';
import { InvalidInputError, LockConflictError, NotFoundError } from '../../errors.js';
import type {
  ApprovalChange,
  ApprovalRecord,
  ApprovalStore,
  CreatePendingResult,
  NewApproval,
} from '../../ports/approval-store.js';

export interface DynamoDbApprovalStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** GSI with partition key `pending` (S) and sort key `requestedAt` (S). @default 'pending' */
  readonly pendingIndex?: string;
  /** How long a decided record stays readable after its expiry before TTL removes it. @default 90 days */
  readonly keepSeconds?: number;
}

const DAY = 86_400;

/**
 * Approvals in one DynamoDB table, partition key `pk` (S), TTL attribute `ttl`.
 *
 * The token lives in its own item (`token#<id>`), not as an attribute of the record
 * (`approval#<id>`): IAM's `dynamodb:LeadingKeys` condition then lets the stack give people and the
 * console GetItem/Query on `approval#*` only, while the approve function alone may read `token#*`.
 * An attribute-level rule would have to be repeated on every reader's policy; a key-level one is one
 * condition. The sparse `pending` attribute puts only pending records into the listing index, so a
 * listing never touches a token item either.
 */
export class DynamoDbApprovalStore implements ApprovalStore {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly index: string;
  private readonly keepSeconds: number;

  constructor(options: DynamoDbApprovalStoreOptions) {
    if (!options?.client) throw new InvalidInputError('DynamoDbApprovalStore needs a DynamoDB client');
    if (typeof options.tableName !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(options.tableName))
      throw new InvalidInputError(`DynamoDbApprovalStore table name "${options.tableName}" is not valid`);
    const keep = options.keepSeconds ?? 90 * DAY;
    if (!Number.isInteger(keep) || keep < 0)
      throw new InvalidInputError('DynamoDbApprovalStore keepSeconds must be a non-negative integer');
    this.client = options.client;
    this.table = options.tableName;
    this.index = options.pendingIndex ?? 'pending';
    this.keepSeconds = keep;
  }

  async createPending(approval: NewApproval, token: string): Promise<CreatePendingResult> {
    validateNewApproval(approval);
    assertToken(token);
    const hash = tokenHash(token);
    const existing = await this.get(approval.id);
    if (!existing) {
      const record = pendingRecord(approval, hash);
      try {
        await this.client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { ...this.recordPut(record), ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: this.tokenPut(record, token) },
            ],
          }),
        );
        return { record, created: true, tokenReplaced: false };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        return this.createPending(approval, token); // a concurrent create won; treat as re-invocation
      }
    }
    const reopen = existing.status === 'closed';
    if (!reopen && (existing.status !== 'pending' || existing.tokenHash === hash)) {
      return { record: existing, created: false, tokenReplaced: false };
    }
    const record: ApprovalRecord = reopen
      ? reopenedRecord(existing, approval, hash)
      : { ...existing, tokenHash: hash, revision: existing.revision + 1 };
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { ...this.recordPut(record), ...this.revisionIs(existing.revision) } },
            { Put: this.tokenPut(record, token) },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        throw new LockConflictError(`approval ${approval.id} changed while its token was replaced; retry`);
      }
      throw error;
    }
    return { record, created: false, tokenReplaced: true };
  }

  async get(id: string): Promise<ApprovalRecord | undefined> {
    assertApprovalId(id);
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { pk: { S: `approval#${id}` } },
        ConsistentRead: true,
        ProjectionExpression: '#record, #revision',
        ExpressionAttributeNames: { '#record': 'record', '#revision': 'revision' },
      }),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async listPending(filter: { readonly executionArn?: string } = {}): Promise<ApprovalRecord[]> {
    const records: ApprovalRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: this.index,
          KeyConditionExpression: '#pending = :pending',
          ExpressionAttributeNames: { '#pending': 'pending' },
          ExpressionAttributeValues: { ':pending': { S: 'pending' } },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        // A GSI read is eventually consistent; the record itself says whether it is still pending.
        const record = fromItem(item);
        if (record.status !== 'pending') continue;
        if (filter.executionArn !== undefined && record.executionArn !== filter.executionArn) continue;
        records.push(record);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return records.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id));
  }

  async update(id: string, expectedRevision: number, change: ApprovalChange): Promise<ApprovalRecord> {
    const current = await this.get(id);
    if (!current) throw new NotFoundError(`approval ${id} does not exist`);
    if (current.revision !== expectedRevision) {
      throw new LockConflictError(
        `approval ${id} is at revision ${current.revision}, not ${expectedRevision}`,
      );
    }
    const next = applyChange(current, change);
    try {
      await this.client.send(
        new PutItemCommand({ ...this.recordPut(next), ...this.revisionIs(expectedRevision) }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new LockConflictError(`approval ${id} changed concurrently; re-read and retry`);
      }
      throw error;
    }
    return next;
  }

  async readToken(id: string): Promise<string | undefined> {
    assertApprovalId(id);
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: { pk: { S: `token#${id}` } }, ConsistentRead: true }),
    );
    return out.Item?.token?.S;
  }

  async discardToken(id: string): Promise<void> {
    assertApprovalId(id);
    await this.client.send(
      new DeleteItemCommand({ TableName: this.table, Key: { pk: { S: `token#${id}` } } }),
    );
  }

  private recordPut(record: ApprovalRecord) {
    const ttl = Math.floor(Date.parse(record.expiresAt) / 1000) + this.keepSeconds;
    const item: Record<string, AttributeValue> = {
      pk: { S: `approval#${record.id}` },
      record: { S: JSON.stringify(record) },
      revision: { N: String(record.revision) },
      requestedAt: { S: record.requestedAt },
      ttl: { N: String(ttl) },
    };
    if (record.status === 'pending') item.pending = { S: 'pending' };
    return { TableName: this.table, Item: item };
  }

  private tokenPut(record: ApprovalRecord, token: string) {
    // The token is useless once the run stops waiting; let TTL remove any that discardToken missed.
    const ttl = Math.floor(Date.parse(record.expiresAt) / 1000) + DAY;
    return {
      TableName: this.table,
      Item: { pk: { S: `token#${record.id}` }, token: { S: token }, ttl: { N: String(ttl) } },
    };
  }

  private revisionIs(revision: number) {
    return {
      ConditionExpression: '#revision = :revision',
      ExpressionAttributeNames: { '#revision': 'revision' },
      ExpressionAttributeValues: { ':revision': { N: String(revision) } },
    };
  }
}

function fromItem(item: Record<string, AttributeValue>): ApprovalRecord {
  const text = item.record?.S;
  const revision = Number(item.revision?.N);
  if (text === undefined || !Number.isInteger(revision)) {
    throw new InvalidInputError('approval item is missing its record or revision attribute');
  }
  return { ...(JSON.parse(text) as ApprovalRecord), revision };
}
