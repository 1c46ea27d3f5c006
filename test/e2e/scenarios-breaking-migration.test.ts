import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliJson, freePort, startUp, upPerTest } from '../unit/cli/e2e-harness.js';
import {
  applyCommit,
  createScenarioRepo,
  fingerprint,
  loadScenario,
  RECENT_ORDERS_SMOKE_TEST,
  readLedger,
  releaseBaseline,
  seedSource,
  servedVersion,
  untilFinished,
} from './scenario-support.js';

const session = upPerTest();

describe('scenario h-breaking-migration', () => {
  it('fails in test with Tollgate.NotRollbackSafe when the migration drops a column the previous release reads, and never touches prod', async () => {
    // Arrange
    const scenario = loadScenario('h-breaking-migration');
    const commitSpec = scenario.commits[0]!;
    const repo = await createScenarioRepo(
      [
        { name: 'test', database: 'refresh' },
        { name: 'prod', database: 'source', approval: true },
      ],
      scenario.concurrency,
      [RECENT_ORDERS_SMOKE_TEST],
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-scenario-h-'));
    session.dataDir = dataDir;
    const dd = ['--data-dir', dataDir];
    session.up = await startUp(dataDir, repo.dir, await freePort());
    await seedSource(repo, 'prod', dataDir);
    const baseline = await releaseBaseline(repo, dd, 'prod');
    const prodBefore = await fingerprint(repo, 'prod', dataDir);
    const testBefore = await fingerprint(repo, 'test', dataDir);

    // Act
    await applyCommit(scenario, commitSpec.id, repo.dir);
    const { run } = await cliJson(['push', '--repo', repo.dir, ...dd]);
    const finished = await untilFinished(run, dd, 150_000);

    // Assert: the run failed where the scenario says, naming the check that failed on the old release
    expect(finished.run.status).toBe(commitSpec.expect.status);
    const failed = finished.stages.find((s) => s.status === 'failed');
    expect(failed).toMatchObject(commitSpec.expect.failed!);
    expect(failed!.cause).toContain(baseline.run.release);
    expect(failed!.cause).toMatch(/recent-orders .*column \\?"note\\?" does not exist/);
    // the new release never deployed anywhere; prod was not reached and kept its data
    expect(finished.stages.some((s) => s.environment === 'prod')).toBe(false);
    expect(finished.stages.some((s) => s.stage === 'deploy')).toBe(false);
    expect(await servedVersion(repo.ports.prod!)).toBe(baseline.run.release);
    expect(await servedVersion(repo.ports.test!)).toBe(baseline.run.release);
    expect(await fingerprint(repo, 'prod', dataDir)).toBe(prodBefore);
    // test got its data back from the refresh's backup: the column is there again
    expect(await fingerprint(repo, 'test', dataDir)).toBe(testBefore);
    const check = readLedger(dataDir).find(
      (e) => e.kind === 'compatibility-check' && e.executionArn === finished.run.executionArn,
    );
    expect(check).toMatchObject({
      environment: 'test',
      data: {
        result: 'failed',
        previousRelease: baseline.run.release,
        rollbackSafe: false,
        migrations: ['0003_drop_order_notes'],
      },
    });
    // the trial was stopped: nothing but test's own release answers on the database anymore
    expect(check!.data.checks.find((c: { name: string }) => c.name === 'recent-orders')).toMatchObject({
      ok: false,
      status: 500,
    });
  }, 300_000);
});
