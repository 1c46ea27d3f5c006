import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkData } from '../../../../functions/check-data/check-data.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import type { DataCheckConfig } from '../../../../functions/shared/config/schema.js';
import { type PgliteServer, resetSchema, sql, startPgliteServer } from '../../../support/pglite-server.js';

let db: PgliteServer;
const clock = new ManualClock();
type Evidence = { check: string; type: string; passed: boolean; count: number; sample: string[] };
const run = (checks: DataCheckConfig[], sourceRowCounts?: Record<string, number>) =>
  checkData(
    { connectionString: db.connectionString, checks, ...(sourceRowCounts ? { sourceRowCounts } : {}) },
    { clock },
  );
const failed = (checks: DataCheckConfig[], sourceRowCounts?: Record<string, number>) =>
  run(checks, sourceRowCounts).then(
    () => {
      throw new Error('expected the checks to fail');
    },
    (e: Error & { evidence?: Evidence[] }) => e,
  );

describe('checkData', () => {
  beforeAll(async () => {
    db = await startPgliteServer();
  });
  afterAll(async () => {
    await db.stop();
  });
  beforeEach(async () => {
    await resetSchema(db.connectionString);
    await sql(
      db.connectionString,
      `CREATE TABLE customers (id int PRIMARY KEY, email text, name text);
       CREATE TABLE orders (id int PRIMARY KEY, customer_id int, total int);
       CREATE TABLE notes (body text);
       INSERT INTO customers VALUES (1, 'Ann@Example.com', 'Ann'), (2, 'ann@example.com', 'Ann'),
                                    (3, 'bob@corp.io', NULL), (4, NULL, 'Dee');
       INSERT INTO orders VALUES (10, 1, 500), (11, 2, 0), (12, 99, 100), (13, NULL, 50), (14, 98, 10);
       INSERT INTO notes VALUES ('a'), (NULL);`,
    );
  });

  it('returns passing evidence for every check when the data is clean', async () => {
    // Arrange
    await sql(
      db.connectionString,
      'DELETE FROM orders WHERE id IN (11, 12, 14); DELETE FROM customers WHERE id IN (2, 3, 4)',
    );
    const checks: DataCheckConfig[] = [
      { type: 'unique', table: 'customers', columns: ['email'], ignoreCase: true },
      { type: 'notNull', table: 'customers', column: 'name' },
      {
        type: 'foreignKey',
        table: 'orders',
        column: 'customer_id',
        references: { table: 'customers', column: 'id' },
      },
      { type: 'rowCountMatchesSource', table: 'orders' },
      { type: 'sql', name: 'positive totals', sql: 'SELECT count(*) FROM orders WHERE total <= 0' },
    ];
    // Act
    const result = await run(checks, { orders: 2 });
    // Assert
    expect(result.passed).toBe(true);
    expect(result.evidence).toEqual([
      { check: 'unique customers(email) ignoring case', type: 'unique', passed: true, count: 0, sample: [] },
      { check: 'not null customers.name', type: 'notNull', passed: true, count: 0, sample: [] },
      {
        check: 'foreign key orders.customer_id -> customers.id',
        type: 'foreignKey',
        passed: true,
        count: 0,
        sample: [],
      },
      {
        check: 'row count orders matches source',
        type: 'rowCountMatchesSource',
        passed: true,
        count: 0,
        sample: [],
      },
      { check: 'positive totals', type: 'sql', passed: true, count: 0, sample: [] },
    ]);
  });

  it('returns a violation with a masked key when e-mails collide ignoring case', async () => {
    // Arrange
    const check: DataCheckConfig = {
      type: 'unique',
      table: 'customers',
      columns: ['email'],
      ignoreCase: true,
    };
    // Act
    const error = await failed([check]);
    // Assert
    expect(error.name).toBe('Tollgate.DataCheckFailed');
    expect(error.message).toBe('1 of 1 data checks failed: unique customers(email) ignoring case (1)');
    expect(error.evidence?.[0].sample).toEqual([expect.stringMatching(/^a\*\*\*~[0-9a-f]{4}$/)]);
    expect(JSON.stringify(error.evidence)).not.toContain('example.com');
  });

  it('passes a case-sensitive unique check on the same data, ignoring NULLs like Postgres does', async () => {
    // Arrange
    await sql(db.connectionString, 'INSERT INTO customers VALUES (5, NULL, NULL)');
    // Act
    const result = await run([{ type: 'unique', table: 'customers', columns: ['email'], ignoreCase: false }]);
    // Assert
    expect(result.evidence[0]).toMatchObject({ passed: true, count: 0 });
  });

  it('returns the NULL rows by masked primary key when notNull fails', async () => {
    // Arrange / Act
    const error = await failed([
      { type: 'notNull', name: 'names present', table: 'customers', column: 'name' },
    ]);
    // Assert
    expect(error.evidence).toEqual([
      {
        check: 'names present',
        type: 'notNull',
        passed: false,
        count: 1,
        sample: [expect.stringMatching(/^3\*\*\*~/)],
      },
    ]);
  });

  it('returns orphans, not NULL references, when the foreign key check fails', async () => {
    // Arrange / Act
    const error = await failed([
      {
        type: 'foreignKey',
        table: 'orders',
        column: 'customer_id',
        references: { table: 'customers', column: 'id' },
      },
    ]);
    // Assert
    expect(error.evidence?.[0]).toMatchObject({ passed: false, count: 2 });
    expect(error.evidence?.[0].sample).toEqual([
      expect.stringMatching(/^1\*\*\*~/),
      expect.stringMatching(/^1\*\*\*~/),
    ]);
  });

  it('returns at most five sample keys when there are more violations', async () => {
    // Arrange
    await sql(db.connectionString, 'INSERT INTO notes SELECT NULL FROM generate_series(1, 20)');
    // Act
    const error = await failed([{ type: 'notNull', table: 'notes', column: 'body' }]);
    // Assert: notes has no primary key, so the row position stands in, masked.
    expect(error.evidence?.[0].count).toBe(21);
    expect(error.evidence?.[0].sample).toHaveLength(5);
  });

  it('returns the count difference when the row count does not match the source', async () => {
    // Arrange / Act
    const error = await failed([{ type: 'rowCountMatchesSource', table: 'orders' }], { orders: 7 });
    // Assert
    expect(error.evidence?.[0]).toMatchObject({ passed: false, count: 2 });
  });

  it('returns the count a sql check reports and fails on a non-zero count', async () => {
    // Arrange / Act
    const error = await failed([
      { type: 'sql', name: 'no zero totals', sql: 'SELECT count(*) FROM orders WHERE total = 0' },
    ]);
    // Assert
    expect(error.message).toBe('1 of 1 data checks failed: no zero totals (1)');
  });

  describe('bad input', () => {
    const cases: Array<[string, DataCheckConfig, RegExp]> = [
      [
        'a sql check returns more than a count',
        { type: 'sql', name: 'rows', sql: 'SELECT id, total FROM orders' },
        /^check "rows": the query must return one row with one column/,
      ],
      [
        'a sql check returns text',
        { type: 'sql', name: 'txt', sql: "SELECT 'many'" },
        /^check "txt": the query returned a non-count value/,
      ],
      [
        'a sql check tries to write',
        { type: 'sql', name: 'wipe', sql: 'DELETE FROM orders RETURNING 1' },
        /^check "wipe" could not run: 25006 cannot execute DELETE in a read-only transaction$/,
      ],
      [
        'a table does not exist',
        { type: 'notNull', table: 'nope', column: 'x' },
        /^check "not null nope.x": table "nope" does not exist$/,
      ],
      [
        'a column does not exist',
        { type: 'unique', table: 'customers', columns: ['emial'], ignoreCase: false },
        /^check "unique customers\(emial\)": table "customers" has no column "emial"$/,
      ],
      [
        'a table name tries to inject SQL',
        { type: 'notNull', table: 'orders"; DELETE FROM orders; --', column: 'id' },
        /does not exist$/,
      ],
      [
        'a column name tries to inject SQL',
        { type: 'notNull', table: 'orders', column: 'id" IS NULL; DELETE FROM orders; --' },
        /has no column/,
      ],
      [
        'no source count was recorded',
        { type: 'rowCountMatchesSource', table: 'orders' },
        /^check "row count orders matches source": no source row count recorded for table "orders"$/,
      ],
    ];
    for (const [when, check, message] of cases) {
      it(`throws one line and changes nothing when ${when}`, async () => {
        // Arrange
        const before = await sql(db.connectionString, 'SELECT * FROM orders ORDER BY id');
        // Act
        const error = await run([check]).catch((e: Error) => e);
        // Assert
        expect((error as Error).message).toMatch(message);
        expect((error as Error).message).not.toContain('\n');
        expect(await sql(db.connectionString, 'SELECT * FROM orders ORDER BY id')).toEqual(before);
      });
    }
  });
});
