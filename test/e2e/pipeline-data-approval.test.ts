import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { seedProd } from '../../examples/orders-service/seed/seed-prod.mjs';
import { createHandler as approveHandler } from '../../functions/approve/handler.js';
import { migrateDatabase } from '../../functions/migrate-database/migrate-database.js';
import { loadMigrationsFromDir } from '../../functions/migrate-database/migration-files.js';
import { systemClock } from '../../functions/shared/clock.js';
import { createLocalPipeline, type LocalPipeline } from '../support/local-pipeline.js';
import { untilPending } from '../support/pending-approval.js';

let pipeline: LocalPipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const example = join(import.meta.dirname, '../../examples/orders-service');

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Prod as it is before Tollgate's first run: the current schema and customer data with PII. */
async function seedProduction(p: LocalPipeline): Promise<string> {
  const url = p.runner.ports.volumes.connectionString('prod');
  await migrateDatabase(
    { connectionString: url, migrations: loadMigrationsFromDir(join(example, 'migrations')) },
    { clock: systemClock },
  );
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await seedProd(client, { customers: 400, orders: 2_000, seed: 7 });
  } finally {
    await client.end();
  }
  return url;
}

/** Waits (real I/O, skipping only Wait states) until the run sits at its approval gate. */
// Each test runs the whole pipeline with PGlite volumes: minutes, not seconds, beside other files.
describe('the pipeline with data refresh and an approval gate, on the local engine', {
  timeout: 240_000,
}, () => {
  it('tests on masked prod data, waits for an approver, then promotes to prod', async () => {
    // Arrange
    pipeline = await createLocalPipeline({ database: true, approval: true });
    const prodUrl = await seedProduction(pipeline);
    const head = pipeline.repo.commit('ship it', { 'NOTES.md': 'v2\n' });
    // Act
    const run = await pipeline.start(head);
    const [pending] = await untilPending(pipeline, { horizonMs: 3_600_000 });
    const approve = approveHandler(async () => pipeline!.runner.ports);
    await approve({ approvalId: pending!.id, decision: 'approve', comment: 'looks good', caller: 'ana' });
    const result = await pipeline.finish(run);
    // Assert
    expect(result.status, JSON.stringify(result)).toBe('SUCCEEDED');
    const testUrl = pipeline.runner.ports.volumes.connectionString('test');
    const [masked] = await query<{ n: string }>(
      testUrl,
      "SELECT count(*) AS n FROM customers WHERE email NOT LIKE '%@example.invalid'",
    );
    expect(Number(masked!.n)).toBe(0);
    const [prodReal] = await query<{ n: string }>(
      prodUrl,
      "SELECT count(*) AS n FROM customers WHERE email LIKE '%@example.invalid'",
    );
    expect(Number(prodReal!.n)).toBe(0);
    const ledger = await pipeline.runner.ports.ledger.query({ pipeline: 'orders-service' });
    const kinds = ledger.map((e) => e.kind);
    expect(kinds).toContain('data-refresh');
    expect(kinds).toContain('approval-decision');
    expect(ledger.find((e) => e.kind === 'promotion' && e.environment === 'prod')).toBeTruthy();
  });
});

describe('a migration that breaks on production data, through the pipeline', () => {
  it('fails in test, restores the data of test, and leaves prod on its release and data; the fix then passes', async () => {
    // Arrange: staging left out; the migration fails in test, and the passes either side of it
    // would only add a refresh and a deploy there (the first test goes through all three).
    pipeline = await createLocalPipeline({ database: true, environments: ['test', 'prod'] });
    const prodUrl = await seedProduction(pipeline);
    const fingerprint = `SELECT (SELECT md5(string_agg(c::text, '|' ORDER BY id)) FROM customers c) AS c,
                               (SELECT count(*) FROM orders) AS o`;
    const first = await pipeline.finish(
      await pipeline.start(pipeline.repo.commit('baseline', { 'N.md': '1\n' })),
    );
    expect(first.status, JSON.stringify(first)).toBe('SUCCEEDED');
    const prodBefore = await query(prodUrl, fingerprint);
    const testUrl = pipeline.runner.ports.volumes.connectionString('test');
    const testBefore = await query(testUrl, fingerprint);
    const bad = readFileSync(join(example, 'scenarios/bad-migration/0003_unique_lower_email.sql'), 'utf8');
    // Act
    const failed = await pipeline.finish(
      await pipeline.start(
        pipeline.repo.commit('unique emails', { 'migrations/0003_unique_lower_email.sql': bad }),
      ),
    );
    // Assert
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('Tollgate.MigrationFailed');
    const cause = JSON.parse(failed.cause!);
    expect(cause).toMatchObject({ stage: 'migrate', environment: 'test', dataRestored: true });
    expect(cause.cause).toMatch(/23505/);
    expect(cause.cause).not.toMatch(/@/); // the duplicated key is masked, never an e-mail
    expect(await query(testUrl, fingerprint)).toEqual(testBefore);
    expect(await query(prodUrl, fingerprint)).toEqual(prodBefore);
    const indexes = await query(prodUrl, "SELECT indexname FROM pg_indexes WHERE tablename = 'customers'");
    expect(JSON.stringify(indexes)).not.toMatch(/lower/);
    const prodDeploy = pipeline.config.environments.find((e) => e.name === 'prod')!.deploy as {
      port: number;
    };
    const prodVersion = (await (await fetch(`http://127.0.0.1:${prodDeploy.port}/version`)).json()) as {
      version: string;
    };
    expect(prodVersion.version).toBe(first.output.release);
    // Act: the fixed migration replaces the bad one
    const fixed = readFileSync(
      join(example, 'scenarios/fixed-migration/0003_unique_lower_email.sql'),
      'utf8',
    );
    const repaired = await pipeline.finish(
      await pipeline.start(
        pipeline.repo.commit('merge duplicate customers', {
          'migrations/0003_unique_lower_email.sql': fixed,
        }),
      ),
    );
    // Assert
    expect(repaired.status, JSON.stringify(repaired)).toBe('SUCCEEDED');
  });
});
