import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { type Clock, systemClock } from '../../clock.js';
import type { TollgateConfig } from '../../config/schema.js';
import { InvalidInputError, LockConflictError } from '../../errors.js';
import type { KeyedRecord, LockTable, UnchangedRecord, VersionedRecord } from '../../ports/lock-table.js';

/** The attribute the table's TTL reads (epoch seconds); the stack declares the table with it. */
export const LOCK_TABLE_TTL_ATTRIBUTE = 'expiresAt';

export interface DynamoDbLockTableOptions {
  readonly client: DynamoDBClient;
  /** Table with partition key `pk` (S). */
  readonly tableName: string;
  /**
   * How long after its last write a record may be deleted by DynamoDB's TTL. Every write moves it
   * on, so only a record nobody has written for this long goes (see `lockRecordTtlSeconds`).
   */
  readonly recordTtlSeconds: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

/**
 * How long after its last write a guard record may be deleted by the table's TTL. A waiter gives
 * up after maxWait; a holder keeps the lock past its lease while its run still runs, and writes
 * nothing while it waits at an approval gate, so the longest approval timeout counts too, plus a
 * day for the deploys and refreshes between two renewals. Past that only an ended run's record is
 * left, so deleting it cannot free a lock someone still holds.
 */
const BETWEEN_RENEWALS_SECONDS = 86_400;

export function lockRecordTtlSeconds(config: Pick<TollgateConfig, 'concurrency' | 'environments'>): number {
  const longestGate = Math.max(0, ...config.environments.map((env) => env.approval?.timeout ?? 0));
  return config.concurrency.lease + config.concurrency.maxWait + longestGate + BETWEEN_RENEWALS_SECONDS;
}

/** Same key rule as FileLockTable, so a key that works locally works on AWS and vice versa. */
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Compare-and-swap records in DynamoDB: one item per key with the JSON value and a numeric
 * `version`. A write is a PutItem conditioned on the version read (or on the item not existing for
 * version 0), so DynamoDB itself rejects a lost race with ConditionalCheckFailedException.
 */
export class DynamoDbLockTable implements LockTable {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly ttlSeconds: number;
  private readonly clock: Clock;

  constructor(options: DynamoDbLockTableOptions) {
    if (!options?.client) throw new InvalidInputError('DynamoDbLockTable needs a DynamoDB client');
    if (typeof options.tableName !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(options.tableName))
      throw new InvalidInputError(`DynamoDbLockTable table name "${options.tableName}" is not valid`);
    if (!Number.isInteger(options.recordTtlSeconds) || options.recordTtlSeconds < 1)
      throw new InvalidInputError(
        `DynamoDbLockTable recordTtlSeconds must be a positive whole number of seconds, got ${options.recordTtlSeconds}`,
      );
    this.client = options.client;
    this.table = options.tableName;
    this.ttlSeconds = options.recordTtlSeconds;
    this.clock = options.clock ?? systemClock;
  }

  async get<T>(key: string): Promise<VersionedRecord<T> | undefined> {
    assertKey(key);
    // Strongly consistent: a CAS loop that read a stale version would only spin on conflicts.
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: { pk: { S: key } }, ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return parseRecord<T>(key, out.Item);
  }

  async put<T>(
    key: string,
    value: T,
    expectedVersion: number,
    unchanged?: UnchangedRecord,
  ): Promise<{ version: number }> {
    assertKey(key);
    assertVersion(expectedVersion);
    if (unchanged) {
      assertKey(unchanged.key);
      assertVersion(unchanged.version);
      if (unchanged.key === key) throw new InvalidInputError('a write cannot be conditioned on its own key');
    }
    const text = JSON.stringify(value);
    if (text === undefined) throw new InvalidInputError(`lock value for ${key} is not JSON-serialisable`);
    const version = expectedVersion + 1;
    const condition = versionCondition(expectedVersion);
    const item: Record<string, AttributeValue> = {
      pk: { S: key },
      version: { N: String(version) },
      value: { S: text },
      [LOCK_TABLE_TTL_ATTRIBUTE]: { N: String(this.expiresAt()) },
    };
    const conflict = () =>
      new LockConflictError(
        unchanged
          ? `${key} is no longer at version ${expectedVersion}, or ${unchanged.key} no longer at version ${unchanged.version}; re-read and retry`
          : `${key} is no longer at version ${expectedVersion}; re-read and retry`,
      );
    try {
      if (unchanged) {
        // One transaction: the other record's condition and this write succeed or fail together.
        await this.client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: this.table,
                  Key: { pk: { S: unchanged.key } },
                  ...versionCondition(unchanged.version),
                },
              },
              { Put: { TableName: this.table, Item: item, ...condition } },
            ],
          }),
        );
      } else {
        await this.client.send(new PutItemCommand({ TableName: this.table, Item: item, ...condition }));
      }
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw conflict();
      if (error instanceof TransactionCanceledException && cancelledByCondition(error)) throw conflict();
      throw error;
    }
    return { version };
  }

  async delete(key: string, expectedVersion: number): Promise<void> {
    assertKey(key);
    assertVersion(expectedVersion);
    if (expectedVersion === 0) throw new InvalidInputError('delete needs the version of an existing record');
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: { pk: { S: key } },
          ...versionCondition(expectedVersion),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new LockConflictError(`${key} is no longer at version ${expectedVersion}; re-read and retry`);
      }
      throw error;
    }
  }

  /**
   * A strongly consistent Scan filtered on the key prefix: the table holds one record per pipeline
   * and one per waiting run, so a Scan reads little, and unlike a GSI query it can be consistent,
   * which the guard needs to see every waiter registered before its own write.
   */
  async list<T>(prefix: string): Promise<ReadonlyArray<KeyedRecord<T>>> {
    assertKey(prefix);
    const records: KeyedRecord<T>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.client.send(
        new ScanCommand({
          TableName: this.table,
          ConsistentRead: true,
          FilterExpression: 'begins_with(pk, :prefix)',
          ExpressionAttributeValues: { ':prefix': { S: prefix } },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        const key = item.pk?.S;
        if (key === undefined) continue;
        records.push({ key, ...parseRecord<T>(key, item) });
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return records.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private expiresAt(): number {
    return Math.floor(this.clock.now().getTime() / 1000) + this.ttlSeconds;
  }
}

function assertKey(key: string): void {
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw new InvalidInputError(
      `lock key "${String(key)}" must match ${KEY} (letters, digits, ".", "_", "-")`,
    );
  }
}

function assertVersion(version: number): void {
  if (!Number.isInteger(version) || version < 0) {
    throw new InvalidInputError(`expectedVersion must be a non-negative integer, got ${version}`);
  }
}

/** The condition that a record is at `version`, 0 meaning it does not exist. */
function versionCondition(version: number) {
  return version === 0
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': { N: String(version) } },
      };
}

function cancelledByCondition(error: TransactionCanceledException): boolean {
  return (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
}

function parseRecord<T>(key: string, item: Record<string, AttributeValue>): VersionedRecord<T> {
  const version = Number(item.version?.N);
  const text = item.value?.S;
  if (!Number.isInteger(version) || text === undefined) {
    throw new InvalidInputError(`lock item ${key} is missing its version or value attribute`);
  }
  return { value: JSON.parse(text) as T, version };
}
