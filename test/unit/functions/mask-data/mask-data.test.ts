import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { maskData, SKIPPED_TABLE_NOTE } from '../../../../functions/mask-data/mask-data.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import type { MaskingRuleConfig } from '../../../../functions/shared/config/schema.js';
import { type PgliteServer, resetSchema, sql, startPgliteServer } from '../../../support/pglite-server.js';

let db: PgliteServer;
const clock = new ManualClock();
const SALT = 'salt-for-tests-0001';
let runs = 0;
const mask = (rules: MaskingRuleConfig[], salt = SALT) =>
  maskData({ connectionString: db.connectionString, rules, salt, runKey: `run-${++runs}` }, { clock });

const PEOPLE = [
  [1, 'Ann@Example.com', 'Ann Lee', '+1-212-555-7788', 'Call Ann before 5pm', 'ext-1'],
  [2, 'ann@example.com', 'Ann Lee', '+1-646-200-1000', 'short', 'ext-1'],
  [3, 'bob@corp.io', 'Bob Stone', null, null, 'ext-2'],
  [4, 'carla@corp.io', 'Carla Diaz', '+1-718-300-4000', 'x'.repeat(300), null],
];

const snapshot = () =>
  sql<Record<string, string | null>>(
    db.connectionString,
    'SELECT id, email, name, phone, note, ref, secret FROM people ORDER BY id',
  );

describe('maskData', () => {
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
      `CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL, name varchar(60), phone text, note text,
                            ref text, secret text, age int, short_code varchar(8));
       CREATE TABLE visits (id int PRIMARY KEY, person_ref text);`,
    );
    for (const p of PEOPLE) {
      await sql(
        db.connectionString,
        `INSERT INTO people (id, email, name, phone, note, ref, secret) VALUES ($1, $2, $3, $4, $5, $6, 'pin-1234')`,
        p,
      );
    }
    await sql(db.connectionString, "INSERT INTO visits VALUES (1, 'ext-1'), (2, 'ext-2'), (3, 'ext-9')");
  });

  it('returns e-mails on example.invalid that keep case-insensitive collisions colliding', async () => {
    // Arrange
    const rules: MaskingRuleConfig[] = [{ table: 'people', column: 'email', rule: 'email' }];
    // Act
    const report = await mask(rules);
    // Assert
    const rows = await snapshot();
    for (const r of rows) expect(r.email).toMatch(/^user_[0-9a-f]{16}@example\.invalid$/);
    expect(rows[0].email).toBe(rows[1].email);
    expect(new Set(rows.map((r) => r.email)).size).toBe(3);
    expect(report.rules).toEqual([{ table: 'people', column: 'email', rule: 'email', rows: 4 }]);
    expect(report.tables).toEqual([{ table: 'people', rows: 4, durationMs: 0 }]);
  });

  it('returns the same mapping within a run and a different one when the salt changes', async () => {
    // Arrange
    const rules: MaskingRuleConfig[] = [{ table: 'people', column: 'name', rule: 'name' }];
    await mask(rules, 'first-salt-0000000');
    const first = await snapshot();
    await sql(db.connectionString, "UPDATE people SET name = 'Ann Lee' WHERE id IN (1, 2)");
    // Act
    await mask(rules, 'second-salt-000000');
    // Assert
    const second = await snapshot();
    expect(first[0].name).toBe(first[1].name);
    expect(second[0].name).not.toBe(first[0].name);
    for (const r of [...first, ...second]) expect(r.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
    expect(second.map((r) => r.name)).not.toContain('Bob Stone');
  });

  it('returns reserved 555-01xx phones, length-class redactions and NULLs, keeping NULL inputs NULL', async () => {
    // Arrange
    const rules: MaskingRuleConfig[] = [
      { table: 'people', column: 'phone', rule: 'phone' },
      { table: 'people', column: 'note', rule: 'text' },
      { table: 'people', column: 'secret', rule: 'null' },
    ];
    // Act
    const report = await mask(rules);
    // Assert
    const rows = await snapshot();
    expect(rows.map((r) => r.phone)).toEqual([
      expect.stringMatching(/^\+1-555-01\d\d$/),
      expect.stringMatching(/^\+1-555-01\d\d$/),
      null,
      expect.stringMatching(/^\+1-555-01\d\d$/),
    ]);
    expect(rows.map((r) => r.note)).toEqual(['[redacted s]', '[redacted xs]', null, '[redacted l]']);
    expect(rows.every((r) => r.secret === null)).toBe(true);
    expect(report.rules.map((r) => r.rows)).toEqual([3, 3, 4]);
  });

  it('returns equal tokens for equal values across tables so joins survive the hash rule', async () => {
    // Arrange
    const rules: MaskingRuleConfig[] = [
      { table: 'people', column: 'ref', rule: 'hash' },
      { table: 'visits', column: 'person_ref', rule: 'hash' },
    ];
    // Act
    await mask(rules);
    // Assert
    const joined = await sql<{ n: string }>(
      db.connectionString,
      'SELECT count(*) AS n FROM visits v JOIN people p ON p.ref = v.person_ref',
    );
    expect(Number(joined[0].n)).toBe(3);
    const refs = await sql<{ ref: string | null }>(db.connectionString, 'SELECT ref FROM people ORDER BY id');
    expect(refs[0].ref).toMatch(/^h_[0-9a-f]{32}$/);
    expect(refs[3].ref).toBeNull();
  });

  it('returns the stored report and masks nothing more when the same run key comes again', async () => {
    // Arrange
    const input = {
      connectionString: db.connectionString,
      rules: [{ table: 'people', column: 'email', rule: 'email' }] as MaskingRuleConfig[],
      salt: SALT,
      runKey: 'exec-1#Mask',
    };
    const first = await maskData(input, { clock });
    const afterFirst = await snapshot();
    // Act
    const second = await maskData(input, { clock });
    // Assert
    expect(second).toEqual({ ...first, alreadyApplied: true });
    expect(await snapshot()).toEqual(afterFirst);
  });

  it('never returns an original value in its report', async () => {
    // Arrange
    const rules: MaskingRuleConfig[] = [
      { table: 'people', column: 'email', rule: 'email' },
      { table: 'people', column: 'name', rule: 'name' },
    ];
    // Act
    const report = await mask(rules);
    // Assert
    const text = JSON.stringify(report);
    for (const p of PEOPLE)
      for (const v of p.slice(1)) if (typeof v === 'string') expect(text).not.toContain(v);
  });

  describe('bad input', () => {
    const cases: Array<[string, MaskingRuleConfig[], RegExp]> = [
      [
        'the column does not exist',
        [{ table: 'people', column: 'emial', rule: 'email' }],
        /^masking: table "people" has no column "emial"$/,
      ],
      [
        'the column is not text',
        [{ table: 'people', column: 'age', rule: 'hash' }],
        /people\.age \(hash\): the column is integer; this rule needs a text column$/,
      ],
      [
        'a null rule hits a NOT NULL column',
        [{ table: 'people', column: 'email', rule: 'null' }],
        /people\.email \(null\): the column is NOT NULL/,
      ],
      [
        'the column is too short for the mask',
        [{ table: 'people', column: 'short_code', rule: 'email' }],
        /character varying\(8\) is too short for masked values of up to 37 characters$/,
      ],
      [
        'a column has two rules',
        [
          { table: 'people', column: 'name', rule: 'name' },
          { table: 'people', column: 'name', rule: 'text' },
        ],
        /people\.name has more than one rule$/,
      ],
    ];
    for (const [when, rules, message] of cases) {
      it(`throws a ConfigError and changes nothing when ${when}`, async () => {
        // Arrange: a valid rule first, so a partial run would show.
        const before = await snapshot();
        const all: MaskingRuleConfig[] = [{ table: 'visits', column: 'person_ref', rule: 'hash' }, ...rules];
        // Act
        const error = await mask(all).catch((e: Error) => e);
        // Assert
        expect((error as Error).name).toBe('Tollgate.ConfigError');
        expect((error as Error).message).toMatch(message);
        expect(await snapshot()).toEqual(before);
        expect(
          await sql(db.connectionString, "SELECT person_ref FROM visits WHERE person_ref LIKE 'h\\_%'"),
        ).toEqual([]);
      });
    }

    it('skips with a note a rule whose table the data lacks (the release creates it), injection included, and masks the rest', async () => {
      // Arrange
      const rules: MaskingRuleConfig[] = [
        { table: 'loyalty_cards', column: 'holder', rule: 'name' },
        { table: 'people"; DROP TABLE visits; --', column: 'email', rule: 'email' },
        { table: 'people', column: 'email', rule: 'email' },
      ];
      // Act
      const report = await mask(rules);
      // Assert
      expect(report.skipped).toEqual([
        { table: 'loyalty_cards', column: 'holder', note: SKIPPED_TABLE_NOTE },
        { table: 'people"; DROP TABLE visits; --', column: 'email', note: SKIPPED_TABLE_NOTE },
      ]);
      expect(report.rules).toEqual([{ table: 'people', column: 'email', rule: 'email', rows: 4 }]);
      expect(await sql(db.connectionString, 'SELECT count(*)::int AS n FROM visits')).toEqual([{ n: 3 }]);
    });

    it('rewrites each masked table into new files, so its dead original rows are gone', async () => {
      // Arrange
      const fileOf = async () =>
        (await sql<{ f: string }>(db.connectionString, "SELECT pg_relation_filepath('people') AS f"))[0]!.f;
      const before = await fileOf();
      // Act
      const report = await mask([{ table: 'people', column: 'email', rule: 'email' }]);
      // Assert
      expect(await fileOf()).not.toBe(before);
      expect(report.rewrite).toMatchObject({ tables: ['people'], statistics: 'rewritten' });
      // The bytes of the table's new file hold none of the original e-mails (the statistics view's
      // dead-tuple count is flushed asynchronously, so it cannot say this reliably).
      const [file] = await sql<{ hex: string }>(
        db.connectionString,
        "SELECT encode(pg_read_binary_file(pg_relation_filepath('people')), 'hex') AS hex",
      );
      const bytes = Buffer.from(file!.hex, 'hex');
      expect(bytes.length).toBeGreaterThan(0);
      const left = PEOPLE.map((p) => String(p[1])).filter((email) => bytes.includes(Buffer.from(email)));
      expect(left).toEqual([]);
    });

    it('throws InvalidInput and connects to nothing when the salt is short', async () => {
      // Arrange
      const input = {
        connectionString: 'postgres://127.0.0.1:1/none',
        rules: [],
        salt: 'short',
        runKey: 'k',
      };
      // Act / Assert
      await expect(maskData(input, { clock })).rejects.toThrow(
        /^mask-data: salt must be at least 16 characters$/,
      );
    });
  });
});
