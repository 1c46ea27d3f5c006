import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { InvalidInputError, LockConflictError } from '../../errors.js';
import type { LockTable, VersionedRecord } from '../../ports/lock-table.js';

export interface DynamoDbLockTableOptions {
  readonly client: DynamoDBClient;
  /** Table with partition key `pk` (S). */
  readonly tableName: string;
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

  constructor(options: DynamoDbLockTableOptions) {
    if (!options?.client) throw new InvalidInputError('DynamoDbLockTable needs a DynamoDB client');
    if (typeof options.tableName !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(options.tableName))
      throw new InvalidInputError(`DynamoDbLockTable table name "${options.tableName}" is not valid`);
    this.client = options.client;
    this.table = options.tableName;
  }

  async get<T>(key: string): Promise<VersionedRecord<T> | undefined> {
    assertKey(key);
    // Strongly consistent: a CAS loop that read a stale version would only spin on conflicts.
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: { pk: { S: key } }, ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    const version = Number(out.Item.version?.N);
    const text = out.Item.value?.S;
    if (!Number.isInteger(version) || text === undefined) {
      throw new InvalidInputError(`lock item ${key} is missing its version or value attribute`);
    }
    return { value: JSON.parse(text) as T, version };
  }

  async put<T>(key: string, value: T, expectedVersion: number): Promise<{ version: number }> {
    assertKey(key);
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
      throw new InvalidInputError(`expectedVersion must be a non-negative integer, got ${expectedVersion}`);
    }
    const text = JSON.stringify(value);
    if (text === undefined) throw new InvalidInputError(`lock value for ${key} is not JSON-serialisable`);
    const version = expectedVersion + 1;
    const condition =
      expectedVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
          };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { pk: { S: key }, version: { N: String(version) }, value: { S: text } },
          ...condition,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new LockConflictError(`${key} is no longer at version ${expectedVersion}; re-read and retry`);
      }
      throw error;
    }
    return { version };
  }
}

function assertKey(key: string): void {
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw new InvalidInputError(
      `lock key "${String(key)}" must match ${KEY} (letters, digits, ".", "_", "-")`,
    );
  }
}
