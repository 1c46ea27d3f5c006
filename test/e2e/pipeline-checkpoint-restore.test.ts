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
import { enteredStates } from '../support/pipeline-scenario.js';

let pipeline: LocalPipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const example = join(import.meta.dirname, '../../examples/orders-service');
const BREAKING = '0003_drop_order_notes';
/** Storage polls of a refresh are up to an hour apart on the fake clock; the approvals' timeout is 2h. */
const HORIZON = { horizonMs: 3_600_000 };

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const NOTE_COLUMN =
  "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note'";

/**
 * Prod serves a first release that reads orders.note; the next commit drops the column (marked
 * database.breaking, so test only warns) and degrades prod's health, so prod fails its smoke tests
 * after the migration. The app is rolled back onto a schema it cannot read orders from, and the
 * run asks, on an approval of its own, whether to restore prod's data from the checkpoint.
 */
async function failPastBreakingMigration() {
  pipeline = await createLocalPipeline({
    database: true,
    approval: true,
    approvalTimeout: '2h',
    breaking: [BREAKING],
    // Staging adds nothing here (test warns on the breaking migration, prod fails past it) and
    // would cost a third of each of the six full runs.
    environments: ['test', 'prod'],
  });
  const p = pipeline;
  const prodUrl = p.runner.ports.volumes.connectionString('prod');
  await migrateDatabase(
    { connectionString: prodUrl, migrations: loadMigrationsFromDir(join(example, 'migrations')) },
    { clock: systemClock },
  );
  const seeder = new pg.Client({ connectionString: prodUrl });
  await seeder.connect();
  await seedProd(seeder, { customers: 50, orders: 200, seed: 7 }).finally(() => seeder.end());
  const approve = approveHandler(async () => p.runner.ports);
  const decide = (approvalId: string, decision: 'approve' | 'reject', comment: string) =>
    approve({ approvalId, decision, comment, caller: 'ana' });

  const baseline = await p.start(p.repo.commit('baseline', { 'N.md': '1\n' }));
  const [baselineGate] = await untilPending(p, { executionArn: baseline, ...HORIZON });
  await decide(baselineGate.id, 'approve', 'baseline');
  const first = await p.finish(baseline);
  expect(first.status, JSON.stringify(first)).toBe('SUCCEEDED');

  // Users keep writing to prod after its migration: as the release starts rolling out there, one
  // order comes in, which a restore from the checkpoint would lose.
  const deployer = p.runner.ports.deployer;
  const realStart = deployer.start.bind(deployer);
  let ordered = false;
  deployer.start = async (request) => {
    if (request.environment === 'prod' && !ordered) {
      ordered = true;
      await query(
        prodUrl,
        "INSERT INTO orders (id, customer_id, total_cents, status) SELECT (SELECT max(id) + 1 FROM orders), id, 500, 'pending' FROM customers LIMIT 1",
      );
    }
    return realStart(request);
  };
  const run = await p.start(
    p.repo.commit('drop order notes; prod degrades', {
      [`migrations/${BREAKING}.sql`]: readFileSync(
        join(example, `scenarios/h-breaking-migration/${BREAKING}.sql`),
        'utf8',
      ),
      'src/recent-orders.sql': readFileSync(
        join(example, 'scenarios/h-breaking-migration/recent-orders.sql'),
        'utf8',
      ),
      'src/faults.json': '{ "healthDegradesIn": ["prod"] }\n',
    }),
  );
  const [gate] = await untilPending(p, { executionArn: run, ...HORIZON });
  await decide(gate.id, 'approve', 'the drop is marked breaking');
  const [restore] = await untilPending(p, { executionArn: run, ...HORIZON });
  const prodPort = (p.config.environments.find((e) => e.name === 'prod')!.deploy as { port: number }).port;
  return { p, prodUrl, prodPort, first, run, gate, restore, decide };
}

describe('restore from the checkpoint after prod fails past a breaking migration, on the local engine', {
  // Two full runs through test, staging and prod on PGlite each: 2 to 4 minutes on a loaded machine.
  timeout: 480_000,
}, () => {
  it('asks on its own approval with the rows written since, and on approve puts prod’s data back under the rolled-back release', async () => {
    // Arrange
    const { p, prodUrl, prodPort, first, run, gate, restore, decide } = await failPastBreakingMigration();
    const beforeRestore = await fetch(`http://127.0.0.1:${prodPort}/orders/recent`);

    // Act
    await decide(restore.id, 'approve', 'orders need their notes back');
    const result = await p.finish(run);

    // Assert: the restore's own approval, showing the checkpoint and the rows since
    expect(restore.id).not.toBe(gate.id);
    expect(restore.environment).toBe('prod');
    expect(restore.evidence).toMatchObject({
      purpose: 'restore',
      restore: {
        offer: true,
        breakingApplied: [BREAKING],
        rowsSinceCheckpoint: 1,
        rowsByTable: { orders: 1 },
      },
    });
    expect(beforeRestore.status).toBeGreaterThanOrEqual(500); // the rolled-back release cannot read the new schema
    // the run fails with the smoke tests, rolled back and restored
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Tollgate.SmokeTestFailed');
    const cause = JSON.parse(result.cause!);
    expect(cause).toMatchObject({
      environment: 'prod',
      rolledBack: { restoredVersion: first.output.release },
      checkpointRestore: { outcome: 'restored', dataKept: false, rowsSinceCheckpoint: 1 },
    });
    expect(await query(prodUrl, NOTE_COLUMN)).toEqual([{ n: 1 }]);
    const after = await fetch(`http://127.0.0.1:${prodPort}/orders/recent`);
    expect(after.status).toBe(200);
    const ledger = await p.runner.ports.ledger.query({ executionArn: run, environment: 'prod' });
    const kinds = ledger.map((e) => e.kind);
    expect(kinds.indexOf('rollback')).toBeLessThan(kinds.indexOf('checkpoint-restore'));
    expect(ledger.find((e) => e.kind === 'checkpoint-restore')).toMatchObject({
      data: { outcome: 'restored', provider: 'local', dataKept: false },
    });
    const entered = await enteredStates(p, run);
    expect(entered).toContain('PollCheckpointRestore');
  });

  it('keeps the data when the approver rejects the restore, and the ledger says so', async () => {
    // Arrange
    const { p, prodUrl, run, restore, decide } = await failPastBreakingMigration();

    // Act
    await decide(restore.id, 'reject', 'orders came in since; we fix forward');
    const result = await p.finish(run);

    // Assert
    expect(result.error).toBe('Tollgate.SmokeTestFailed');
    expect(JSON.parse(result.cause!).checkpointRestore).toMatchObject({
      outcome: 'rejected',
      dataKept: true,
    });
    expect(await query(prodUrl, NOTE_COLUMN)).toEqual([{ n: 0 }]);
    const entry = (
      await p.runner.ports.ledger.query({ executionArn: run, kinds: ['checkpoint-restore'] })
    )[0];
    expect(entry).toMatchObject({ data: { outcome: 'rejected', dataKept: true } });
    expect(String(entry!.data.detail)).toContain('we fix forward');
    expect(await enteredStates(p, run)).not.toContain('StartCheckpointRestore');
  });

  it('keeps the data when nobody decides within the approval timeout, and records the restore approval expired', async () => {
    // Arrange
    const { p, prodUrl, run, gate, restore } = await failPastBreakingMigration();

    // Act: the clock passes the restore approval's 2h timeout
    p.clock.advanceTo(p.clock.nextTimerAt()!);
    const result = await p.finish(run);

    // Assert
    expect(JSON.parse(result.cause!).checkpointRestore).toMatchObject({ outcome: 'expired', dataKept: true });
    expect(await query(prodUrl, NOTE_COLUMN)).toEqual([{ n: 0 }]);
    expect((await p.runner.ports.approvals.get(restore.id))?.status).toBe('expired');
    expect((await p.runner.ports.approvals.get(gate.id))?.status).toBe('approved');
  });
});
