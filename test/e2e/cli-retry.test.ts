import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateSecret } from '../../runtime/local-api/auth.js';
import {
  cli,
  cliJson,
  createTestRepo,
  freePort,
  type ShownProgress,
  type ShownStage,
  startUp,
  untilShown,
  upPerTest,
} from '../unit/cli/e2e-harness.js';

const session = upPerTest();

describe('tollgate retry against tollgate up', () => {
  it('runs a failed run’s release again from the environment it failed in onwards, where redrive refuses', async () => {
    // Arrange: test's app will not start while a marker file exists (a broken host, say), so the
    // first run fails in test after building and registering its release.
    const repo = await createTestRepo(['ana', 'Dev']);
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-cli-retry-'));
    const marker = join(dataDir, 'test-host-broken');
    writeFileSync(marker, '');
    const configPath = join(repo.dir, 'tollgate.config.ts');
    const config = readFileSync(configPath, 'utf8');
    const flaky = config.replace(
      '"command": "node src/server.mjs"',
      `"command": "test ! -e ${marker} && exec node src/server.mjs"`,
    );
    expect(flaky).not.toBe(config);
    writeFileSync(configPath, flaky);
    repo.commit('Test host check');
    session.dataDir = dataDir;
    const port = await freePort();
    session.up = await startUp(dataDir, repo.dir, port);
    const dd = ['--data-dir', dataDir];
    const until = (run: string, what: string, done: (shown: ShownProgress) => boolean) =>
      untilShown<Shown>(`run ${run} ${what}`, run, dataDir, done, 120_000);
    repo.commit('ORD-7: order notes', { 'NOTES.md': 'notes\n' });
    const { run: failedRun } = await cliJson(['push', '--repo', repo.dir, ...dd]);
    const first = await until(failedRun, 'to fail', (s) => s.run.status !== 'RUNNING');
    const runsBefore = (await cliJson(['runs', ...dd])).runs.length;

    // Act: the run page's Retry (the console route) while the host is still broken: it fails again
    const retryRoute = (run: string) =>
      fetch(`http://127.0.0.1:${port}/api/runs/${run}/retry`, {
        method: 'POST',
        headers: { 'x-tollgate-secret': loadOrCreateSecret(dataDir), 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'host replaced' }),
      });
    const viaConsole = await retryRoute(failedRun);
    const consoleRetry = (await viaConsole.json()) as { run: string; retryOf: string; from: string };
    const failed = await until(consoleRetry.run, 'to fail', (s) => s.run.status !== 'RUNNING');
    const unknownRun = await retryRoute('no-such-run');
    rmSync(marker);
    const runsAfterConsole = (await cliJson(['runs', ...dd])).runs.length;

    // Act: redrive refuses (it would fail again at once), a succeeded run cannot be retried, then retry
    const redrive = await cli(['redrive', consoleRetry.run, ...dd], { cwd: repo.dir });
    const runsAfterRedrive = (await cliJson(['runs', ...dd])).runs.length;
    const retried = await cliJson(['retry', consoleRetry.run, '--as', 'ben', ...dd], { cwd: repo.dir });
    await until(retried.run, 'at the prod gate', (s) =>
      s.stages.some((st) => st.environment === 'prod' && st.stage === 'approval' && st.status === 'waiting'),
    );
    await cliJson(['approve', retried.run, '--as', 'ana', ...dd]);
    const retry = await until(retried.run, 'to end', (s) => s.run.status !== 'RUNNING');
    const again = await cli(['retry', retried.run, ...dd], { cwd: repo.dir });
    const served = (await (await fetch(`http://127.0.0.1:${repo.ports.prod}/version`)).json()) as {
      digest: string;
    };

    // Assert: the first run failed in test with its release registered; the console's retry ran
    // the same release from test and failed there again, with the reason it was given
    expect(first.run.status).toBe('FAILED');
    expect(viaConsole.status).toBe(202);
    expect(consoleRetry).toMatchObject({ retryOf: failedRun, from: 'test', release: first.run.release });
    expect(failed.run.release).toBe(first.run.release);
    expect(failed.stages.some((s) => s.stage === 'build')).toBe(false);
    expect(failed.redeploy).toMatchObject({ environment: 'test', reason: 'host replaced' });
    expect(unknownRun.status).toBe(404);
    expect(runsAfterConsole).toBe(runsBefore + 1);
    expect(failed.run.status).toBe('FAILED');
    expect(failed.run.release).toMatch(/^r\d+-[0-9a-f]{7}$/);
    expect(
      failed.stages.some((s) => s.environment === 'test' && s.status === 'failed'),
      JSON.stringify(failed.stages.map((s) => [s.environment, s.stage, s.status])),
    ).toBe(true);
    expect(failed.stages.some((s) => s.environment === 'prod')).toBe(false);

    // Assert: redrive said why not, in one line, and started nothing
    expect(redrive.code).toBe(1);
    expect(redrive.stderr.trim().split('\n')).toHaveLength(1);
    expect(redrive.stderr).toMatch(/Fail state RunFailed .* would fail again at once; .*tollgate retry/);
    expect(runsAfterRedrive).toBe(runsAfterConsole);

    // Assert: the retry ran the same release, without a build, through test and prod's gate
    expect(retried).toMatchObject({ retryOf: consoleRetry.run, release: failed.run.release, from: 'test' });
    expect(retry.run.status).toBe('SUCCEEDED');
    expect(retry.run.release).toBe(failed.run.release);
    expect(retry.run.digest).toBe(failed.run.digest);
    expect(retry.stages.some((s) => s.stage === 'build')).toBe(false);
    expect([...new Set(retry.stages.flatMap((s) => (s.environment ? [s.environment] : [])))]).toEqual([
      'test',
      'prod',
    ]);
    expect(retry.redeploy).toMatchObject({ environment: 'test', requestedBy: 'ben' });
    expect(served.digest).toBe(failed.run.digest);

    // Assert: a succeeded run is refused in one line
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toMatch(
      /is SUCCEEDED; only a failed, timed-out or aborted run can be retried$/,
    );
    expect(existsSync(marker)).toBe(false);
  }, 600_000);
});

interface Shown {
  run: { status: string; release: string | null; digest: string | null };
  stages: ShownStage[];
  redeploy: { environment: string; requestedBy: string; reason: string } | null;
}
