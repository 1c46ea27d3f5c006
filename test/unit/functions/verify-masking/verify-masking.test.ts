import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { maskData } from '../../../../functions/mask-data/mask-data.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import type { MaskingRuleConfig } from '../../../../functions/shared/config/schema.js';
import { verifyMasking } from '../../../../functions/verify-masking/verify-masking.js';
import { type PgliteServer, resetSchema, sql, startPgliteServer } from '../../../support/pglite-server.js';

const SCHEMA = `CREATE TABLE people (id int PRIMARY KEY, email text, name text, secret text);
                CREATE TABLE tags (label text);`;
const ROWS = Array.from({ length: 40 }, (_, i) => [
  i + 1,
  `person${i}@${i % 2 ? 'globex.io' : 'Corp.example.org'}`,
  `Person Number${i}`,
  `pin-${i}`,
]);
const RULES: MaskingRuleConfig[] = [
  { table: 'people', column: 'email', rule: 'email' },
  { table: 'people', column: 'name', rule: 'name' },
  { table: 'people', column: 'secret', rule: 'null' },
];

let source: PgliteServer;
let target: PgliteServer;
const verify = (rules = RULES, sourceRowCounts?: Record<string, number>) =>
  verifyMasking({
    connectionString: target.connectionString,
    sourceConnectionString: source.connectionString,
    rules,
    sampleSize: 40,
    ...(sourceRowCounts ? { sourceRowCounts } : {}),
  });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected verifyMasking to fail');
    },
    (e: Error & { evidence?: Array<{ check: string; column?: string; passed: boolean; count: number }> }) =>
      e,
  );

async function fill(url: string) {
  await resetSchema(url);
  await sql(url, SCHEMA);
  for (const row of ROWS) await sql(url, 'INSERT INTO people VALUES ($1, $2, $3, $4)', row);
}

describe('verifyMasking', () => {
  beforeAll(async () => {
    [source, target] = await Promise.all([startPgliteServer(), startPgliteServer()]);
  });
  afterAll(async () => {
    await Promise.all([source.stop(), target.stop()]);
  });
  beforeEach(async () => {
    await fill(source.connectionString);
    await fill(target.connectionString);
  });

  it('returns passing evidence for every check when the target was masked', async () => {
    // Arrange
    await maskData(
      { connectionString: target.connectionString, rules: RULES, salt: 'verify-salt-000001', runKey: 'r1' },
      { clock: new ManualClock() },
    );
    // Act
    const result = await verify();
    // Assert
    expect(result.evidence.map((e) => [e.check, e.column ?? null, e.passed])).toEqual([
      ['rowCount', null, true],
      ['emailDomains', 'email', true],
      ['nullRule', 'secret', true],
      ['sampleDiffers', 'email', true],
      ['sampleDiffers', 'name', true],
    ]);
  });

  it('throws MaskingFailed with counts only when a column was left unmasked', async () => {
    // Arrange: nothing masked in the target.
    // Act
    const error = await failure(verify());
    // Assert
    expect(error.name).toBe('Tollgate.MaskingFailed');
    const failed = error.evidence?.filter((e) => !e.passed).map((e) => [e.check, e.column, e.count]);
    expect(failed).toEqual([
      ['emailDomains', 'email', 40],
      ['nullRule', 'secret', 40],
      ['sampleDiffers', 'email', 40],
      ['sampleDiffers', 'name', 40],
    ]);
    const text = `${error.message} ${JSON.stringify(error.evidence)}`;
    for (const row of ROWS) for (const v of row.slice(1)) expect(text).not.toContain(String(v));
    expect(text).not.toContain('globex');
  });

  it('throws when a masked value still sits on a source domain, matched case-insensitively', async () => {
    // Arrange
    await maskData(
      { connectionString: target.connectionString, rules: RULES, salt: 'verify-salt-000002', runKey: 'r2' },
      { clock: new ManualClock() },
    );
    await sql(target.connectionString, "UPDATE people SET email = 'someone@corp.EXAMPLE.org' WHERE id = 1");
    // Act
    const error = await failure(verify());
    // Assert
    expect(error.evidence?.find((e) => e.check === 'emailDomains')).toMatchObject({
      passed: false,
      count: 1,
    });
  });

  it('throws when the row count differs from the recorded source count', async () => {
    // Arrange
    await maskData(
      { connectionString: target.connectionString, rules: RULES, salt: 'verify-salt-000003', runKey: 'r3' },
      { clock: new ManualClock() },
    );
    // Act
    const error = await failure(verify(RULES, { people: 41 }));
    // Assert
    expect(error.evidence?.find((e) => e.check === 'rowCount')).toMatchObject({ passed: false, count: 1 });
    expect(error.message).toContain('rowCount people (source 41 rows, masked 40 rows)');
  });

  it('throws when masking turned a value into NULL', async () => {
    // Arrange
    await maskData(
      { connectionString: target.connectionString, rules: RULES, salt: 'verify-salt-000004', runKey: 'r4' },
      { clock: new ManualClock() },
    );
    await sql(target.connectionString, 'UPDATE people SET name = NULL WHERE id <= 3');
    // Act
    const error = await failure(verify());
    // Assert
    expect(error.evidence?.find((e) => e.check === 'sampleDiffers' && e.column === 'name')).toMatchObject({
      passed: false,
      count: 3,
    });
  });

  it('throws a ConfigError when a masked table has no primary key to sample by', async () => {
    // Arrange
    const rules: MaskingRuleConfig[] = [{ table: 'tags', column: 'label', rule: 'text' }];
    // Act / Assert
    await expect(verify(rules)).rejects.toThrow(
      /^verify-masking: table "tags" has no primary key to sample by$/,
    );
  });

  it('throws a ConfigError when there are no rules to verify', async () => {
    // Arrange / Act / Assert
    await expect(verify([])).rejects.toThrow(/^verify-masking: there are no masking rules to verify$/);
  });

  it('throws InvalidInput when the sample size is out of range', async () => {
    // Arrange / Act / Assert
    await expect(
      verifyMasking({
        connectionString: target.connectionString,
        sourceConnectionString: source.connectionString,
        rules: RULES,
        sampleSize: 0,
      }),
    ).rejects.toThrow(/sampleSize must be an integer from 1 to 10000/);
  });

  it('never writes to the source and leaves it writable for the app when done', async () => {
    // Arrange
    await maskData(
      { connectionString: target.connectionString, rules: RULES, salt: 'verify-salt-000005', runKey: 'r5' },
      { clock: new ManualClock() },
    );
    // Act
    await verify();
    // Assert
    const rows = await sql(source.connectionString, 'SELECT id, email, name, secret FROM people ORDER BY id');
    expect(rows.map((r) => Object.values(r))).toEqual(ROWS);
    expect(await sql(source.connectionString, "SELECT to_regclass('tollgate_masking_runs') AS t")).toEqual([
      { t: null },
    ]);
  });
});
