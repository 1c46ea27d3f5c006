import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  localDatabaseUrl,
  readDatabasePassword,
} from '../../functions/shared/adapters/local/database-password.js';
import { cliJson, freePort, startUp, upPerTest } from '../unit/cli/e2e-harness.js';
import {
  applyCommit,
  createScenarioRepo,
  loadScenario,
  RECENT_ORDERS_SMOKE_TEST,
  readLedger,
  releaseBaseline,
  seedSource,
  servedVersion,
  untilFinished,
  untilGate,
} from './scenario-support.js';

const session = upPerTest();

describe('scenario i-prod-fails-after-migrate', () => {
  it('checkpoints prod before migrating, rolls the app back when prod smoke tests fail, and keeps the migrated data the old release runs on', async () => {
    // Arrange
    const scenario = loadScenario('i-prod-fails-after-migrate');
    const commitSpec = scenario.commits[0]!;
    const repo = await createScenarioRepo(
      [
        { name: 'test', database: 'refresh' },
        { name: 'prod', database: 'source', approval: true },
      ],
      scenario.concurrency,
      [RECENT_ORDERS_SMOKE_TEST],
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-scenario-i-'));
    session.dataDir = dataDir;
    const dd = ['--data-dir', dataDir];
    session.up = await startUp(dataDir, repo.dir, await freePort());
    await seedSource(repo, 'prod', dataDir);
    const baseline = await releaseBaseline(repo, dd, 'prod');

    // Act
    await applyCommit(scenario, commitSpec.id, repo.dir);
    const { run } = await cliJson(['push', '--repo', repo.dir, ...dd]);
    const step = commitSpec.next[0]!;
    await untilGate(run, step.approve!, dd, 150_000);
    await cliJson([
      'approve',
      run,
      '--env',
      step.approve!,
      '--as',
      step.as!,
      '--comment',
      step.comment!,
      ...dd,
    ]);
    const finished = await untilFinished(run, dd, 150_000);

    // Assert: failed at prod's smoke tests and rolled back to the baseline
    expect(finished.run.status).toBe(commitSpec.expect.status);
    expect(finished.stages.find((s) => s.status === 'failed')).toMatchObject(commitSpec.expect.failed!);
    expect(await servedVersion(repo.ports.prod!)).toBe(baseline.run.release);
    expect(await servedVersion(repo.ports.test!)).toBe(finished.run.release);
    const ledger = readLedger(dataDir).filter((e) => e.executionArn === finished.run.executionArn);
    // test: the previous release passed its smoke tests on the migrated schema
    expect(ledger.find((e) => e.kind === 'compatibility-check')).toMatchObject({
      environment: 'test',
      data: { result: 'passed', rollbackSafe: true, previousRelease: baseline.run.release },
    });
    // prod: a checkpoint of its database before its migration, with its provenance
    const checkpoint = ledger.find((e) => e.kind === 'migration-checkpoint');
    expect(checkpoint).toMatchObject({
      environment: 'prod',
      releaseVersion: finished.run.release,
      actor: 'tollgate',
      data: { pending: ['0003_add_order_channel'], breaking: [], provider: 'local' },
    });
    expect(checkpoint!.data.snapshot).toMatchObject({ kind: 'snapshot', volumes: [{ source: 'prod' }] });
    const kinds = ledger.filter((e) => e.environment === 'prod').map((e) => e.kind);
    expect(kinds.indexOf('migration-checkpoint')).toBeLessThan(kinds.indexOf('migrations-applied'));
    // the data stays: the migration is not breaking, so nothing restored; the old release reads it
    expect(kinds).toContain('rollback');
    expect(finished.stages.some((s) => s.environment === 'prod' && s.stage === 'restore-data')).toBe(false);
    const recent = await fetch(`http://127.0.0.1:${repo.ports.prod}/orders/recent`);
    expect(recent.status).toBe(200);
    const client = new pg.Client({
      connectionString: localDatabaseUrl(
        '127.0.0.1',
        repo.databasePorts.prod!,
        readDatabasePassword(dataDir, 'prod'),
      ),
    });
    await client.connect();
    try {
      const column = await client.query(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'channel'",
      );
      expect(column.rowCount).toBe(1);
      const applied = await client.query('SELECT name FROM tollgate_migrations ORDER BY version');
      expect(applied.rows.map((r) => r.name)).toContain('0003_add_order_channel');
    } finally {
      await client.end();
    }
  }, 300_000);
});
