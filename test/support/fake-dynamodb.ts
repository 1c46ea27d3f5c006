import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  ScanCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';

type Item = Record<string, AttributeValue>;
// biome-ignore lint/suspicious/noExplicitAny: aws-sdk-client-mock's stub is generic over every input/output
type DynamoStub = AwsStub<any, any, any>;

interface Expression {
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/**
 * A stateful DynamoDB for one table keyed on `pk`, behind aws-sdk-client-mock. It enforces what the
 * adapters rely on: condition expressions (attribute_exists / attribute_not_exists / `=` joined by
 * AND) fail with ConditionalCheckFailedException, TransactWriteItems is all-or-nothing and fails with
 * TransactionCanceledException (Put and ConditionCheck), ProjectionExpression returns only the named
 * attributes, a GSI only holds items that carry its key attribute (sparse), Query and Scan (a
 * `begins_with(pk, …)` filter applied after each page is read, as DynamoDB does) page with LastEvaluatedKey.
 */
export class FakeDynamoDb {
  readonly items = new Map<string, Item>();

  constructor(
    private readonly table: string,
    private readonly indexes: Record<string, { partition: string; sort?: string }> = {},
    private readonly pageSize = 100,
  ) {}

  install(stub: DynamoStub): this {
    stub.on(GetItemCommand).callsFake(async (input) => this.getItem(input));
    stub.on(PutItemCommand).callsFake(async (input) => this.putItem(input));
    stub.on(DeleteItemCommand).callsFake(async (input) => this.deleteItem(input));
    stub.on(QueryCommand).callsFake(async (input) => this.query(input));
    stub.on(TransactWriteItemsCommand).callsFake(async (input) => this.transact(input));
    stub.on(ScanCommand).callsFake(async (input) => this.scan(input));
    return this;
  }

  private getItem(input: { TableName: string; Key: Item; ProjectionExpression?: string } & Expression) {
    this.checkTable(input.TableName);
    const item = this.items.get(keyOf(input.Key));
    if (!item) return {};
    if (!input.ProjectionExpression) return { Item: structuredClone(item) };
    const names = input.ProjectionExpression.split(',').map((n) => resolveName(n.trim(), input));
    return {
      Item: Object.fromEntries(names.filter((n) => n in item).map((n) => [n, structuredClone(item[n])])),
    };
  }

  private putItem(input: { TableName: string; Item: Item } & Expression) {
    this.checkTable(input.TableName);
    if (!evaluate(this.items.get(keyOf(input.Item)), input)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    this.items.set(keyOf(input.Item), structuredClone(input.Item));
    return {};
  }

  private deleteItem(input: { TableName: string; Key: Item } & Expression) {
    this.checkTable(input.TableName);
    if (!evaluate(this.items.get(keyOf(input.Key)), input)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    this.items.delete(keyOf(input.Key));
    return {};
  }

  private query(
    input: {
      TableName: string;
      IndexName?: string;
      KeyConditionExpression: string;
      ExclusiveStartKey?: Item;
    } & Expression,
  ) {
    this.checkTable(input.TableName);
    const index = input.IndexName ? this.indexes[input.IndexName] : { partition: 'pk' };
    if (!index)
      throw new ResourceNotFoundException({ message: `no index ${input.IndexName}`, $metadata: {} });
    const match = /^(#?\w+) = (:\w+)$/.exec(input.KeyConditionExpression.trim());
    if (!match)
      throw new Error(
        `fake DynamoDB supports only "#k = :v" key conditions, got ${input.KeyConditionExpression}`,
      );
    const attribute = resolveName(match[1], input);
    if (attribute !== index.partition)
      throw new Error(`key condition on ${attribute}, index key is ${index.partition}`);
    const wanted = input.ExpressionAttributeValues?.[match[2]];
    const sortKey = (item: Item) => (index.sort ? (item[index.sort]?.S ?? '') : '') + keyOf(item);
    const matches = [...this.items.values()]
      .filter((item) => item[attribute] !== undefined && equal(item[attribute], wanted))
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    const after = input.ExclusiveStartKey ? keyOf(input.ExclusiveStartKey) : undefined;
    const from = after === undefined ? 0 : matches.findIndex((item) => keyOf(item) === after) + 1;
    const page = matches.slice(from, from + this.pageSize);
    const more = from + this.pageSize < matches.length;
    return {
      Items: page.map((item) => structuredClone(item)),
      ...(more ? { LastEvaluatedKey: { pk: page[page.length - 1].pk } } : {}),
    };
  }

  private transact(input: {
    TransactItems: Array<{
      Put?: { TableName: string; Item: Item } & Expression;
      ConditionCheck?: { TableName: string; Key: Item } & Expression;
    }>;
  }) {
    const steps = input.TransactItems.map((t) => {
      const step = t.Put
        ? { key: t.Put.Item, put: t.Put }
        : t.ConditionCheck
          ? { key: t.ConditionCheck.Key }
          : undefined;
      if (!step) throw new Error('fake DynamoDB transactions support Put and ConditionCheck only');
      this.checkTable((t.Put ?? t.ConditionCheck)!.TableName);
      return { ...step, expression: (t.Put ?? t.ConditionCheck)! };
    });
    const reasons = steps.map((step) =>
      evaluate(this.items.get(keyOf(step.key)), step.expression)
        ? { Code: 'None' }
        : { Code: 'ConditionalCheckFailed' },
    );
    if (reasons.some((r) => r.Code !== 'None')) {
      throw new TransactionCanceledException({
        message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
        $metadata: {},
        CancellationReasons: reasons,
      });
    }
    for (const step of steps)
      if (step.put) this.items.set(keyOf(step.put.Item), structuredClone(step.put.Item));
    return {};
  }

  /** Scan, with only the `begins_with(pk, :p)` filter; pages like Query, in key order. */
  private scan(
    input: { TableName: string; FilterExpression?: string; ExclusiveStartKey?: Item } & Expression,
  ) {
    this.checkTable(input.TableName);
    const filter = input.FilterExpression
      ? /^begins_with\(pk, (:\w+)\)$/.exec(input.FilterExpression.trim())
      : null;
    if (input.FilterExpression && !filter)
      throw new Error(`fake DynamoDB scans support only begins_with(pk, :p), got ${input.FilterExpression}`);
    const prefix = filter ? (input.ExpressionAttributeValues?.[filter[1]!]?.S ?? '') : '';
    const all = [...this.items.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    const after = input.ExclusiveStartKey ? keyOf(input.ExclusiveStartKey) : undefined;
    const from = after === undefined ? 0 : all.findIndex((item) => keyOf(item) === after) + 1;
    const page = all.slice(from, from + this.pageSize);
    const more = from + this.pageSize < all.length;
    return {
      Items: page.filter((item) => keyOf(item).startsWith(prefix)).map((item) => structuredClone(item)),
      ...(more ? { LastEvaluatedKey: { pk: page[page.length - 1]!.pk } } : {}),
    };
  }

  private checkTable(name: string): void {
    if (name !== this.table) {
      throw new ResourceNotFoundException({
        message: `Requested resource not found: ${name}`,
        $metadata: {},
      });
    }
  }
}

function keyOf(item: Item): string {
  const pk = item.pk?.S;
  if (pk === undefined) throw new Error('item has no string pk');
  return pk;
}

function resolveName(token: string, expression: Expression): string {
  if (!token.startsWith('#')) return token;
  const name = expression.ExpressionAttributeNames?.[token];
  if (name === undefined) throw new Error(`ExpressionAttributeNames has no ${token}`);
  return name;
}

function equal(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function evaluate(item: Item | undefined, expression: Expression): boolean {
  if (!expression.ConditionExpression) return true;
  return expression.ConditionExpression.split(/\s+AND\s+/i).every((clause) => {
    const fn = /^(attribute_exists|attribute_not_exists)\((#?\w+)\)$/.exec(clause.trim());
    if (fn) {
      const present = item?.[resolveName(fn[2], expression)] !== undefined;
      return fn[1] === 'attribute_exists' ? present : !present;
    }
    const cmp = /^(#?\w+) = (:\w+)$/.exec(clause.trim());
    if (!cmp) throw new Error(`fake DynamoDB cannot evaluate "${clause}"`);
    const value = expression.ExpressionAttributeValues?.[cmp[2]];
    if (value === undefined) throw new Error(`ExpressionAttributeValues has no ${cmp[2]}`);
    const actual = item?.[resolveName(cmp[1], expression)];
    return actual !== undefined && equal(actual, value);
  });
}
