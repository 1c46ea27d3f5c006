import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CanaryView } from '../../model/canary-steps.js';
import { cli, cliJson, freePort, startUp, upPerTest } from '../unit/cli/e2e-harness.js';
import {
  applyCommit,
  createScenarioRepo,
  loadScenario,
  readLedger,
  releaseBaseline,
  servedVersion,
  untilFinished,
} from './scenario-support.js';

const session = upPerTest();
const LOAD_GENERATOR = new URL('../../examples/orders-service/scenarios/load-generator.mjs', import.meta.url)
  .pathname;

/** Short steps so the test stays quick; 50 requests/s give the 10% canary ~15 samples per interval. */
const CANARY = {
  type: 'canary',
  steps: [10, 50],
  interval: '3s',
  analysis: [{ source: 'requests', metric: 'error-rate', max: 0.05, minSamples: 10 }],
};

interface LoadSummary {
  readonly requests: number;
  readonly byStatus: Record<string, number>;
  readonly connectionErrors: number;
}

/** The scenario's real load generator, sending GETs to the environment's proxy until stopped. */
function startLoad(url: string, rps: number) {
  const child: ChildProcess = spawn(process.execPath, [LOAD_GENERATOR, '--url', url, '--rps', String(rps)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (chunk) => {
    out += chunk;
  });
  return {
    child,
    stop: () =>
      new Promise<LoadSummary>((resolve, reject) => {
        child.once('exit', () =>
          out.trim() ? resolve(JSON.parse(out)) : reject(new Error('no load summary')),
        );
        child.kill('SIGTERM');
      }),
  };
}

let load: ReturnType<typeof startLoad> | undefined;
afterEach(() => {
  load?.child.kill('SIGKILL');
  load = undefined;
});

describe('scenario g-canary-aborts', () => {
  it('stops a release that fails only under real traffic at canary step 1, prod keeps the old release; a good release goes through every step', async () => {
    // Arrange
    const scenario = loadScenario('g-canary-aborts');
    const [bad, good] = scenario.commits;
    const repo = await createScenarioRepo([{ name: 'prod', strategy: CANARY }], scenario.concurrency);
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-scenario-g-'));
    session.dataDir = dataDir;
    const dd = ['--data-dir', dataDir];
    session.up = await startUp(dataDir, repo.dir, await freePort());
    const baseline = await releaseBaseline(repo, dd, undefined);
    const step = bad!.next[0] as unknown as { path: string; rps: number };
    load = startLoad(`http://127.0.0.1:${repo.ports.prod}${step.path}`, step.rps);

    // Act: the faulty release, under load
    await applyCommit(scenario, bad!.id, repo.dir);
    const first = await cliJson(['push', '--repo', repo.dir, ...dd]);
    const aborted = await untilFinished(first.run, dd, 60_000);
    const servedAfterAbort = await servedVersion(repo.ports.prod!);
    const shownText = await cli(['show', first.run, ...dd]);

    // Assert: stopped at step 1, traffic back on the old release, the evidence names the metric
    expect(aborted.run.status).toBe(bad!.expect.status);
    const failed = aborted.stages.find((s) => s.status === 'failed');
    expect(failed).toMatchObject(bad!.expect.failed!);
    expect(aborted.run.cause).toMatch(/error-rate: [\d.]+ > max 0\.05 \(baseline [\d.]+\) at step 1 \(10%\)/);
    const cause = JSON.parse(aborted.run.cause);
    expect(cause.canary).toMatchObject({ step: 1, percent: 10, metric: 'error-rate', threshold: 0.05 });
    expect(cause.canary.value).toBeGreaterThan(0.05);
    expect(cause.rolledBack).toMatchObject({
      action: 'already-serving',
      restoredVersion: baseline.run.release,
    });
    expect(servedAfterAbort).toBe(baseline.run.release);
    const canary = (aborted as unknown as { canary: CanaryView }).canary;
    expect(canary.steps.every((s) => s.step === 1 && s.percent === 10)).toBe(true);
    expect(canary.steps.at(-1)).toMatchObject({ verdict: 'fail', decision: 'abort' });
    expect(canary.outcomes).toMatchObject([
      { environment: 'prod', action: 'abort', serving: baseline.run.release },
    ]);
    expect(shownText.stdout).toMatch(/prod: canary step 1 \(10% traffic\).*: fail → abort/);
    expect(shownText.stdout).toContain(`prod: canary aborted, traffic back on ${baseline.run.release}`);
    const steps = readLedger(dataDir).filter(
      (e) => e.kind === 'canary-step' && e.executionArn === aborted.run.executionArn,
    );
    expect(steps.at(-1)!.data).toMatchObject({ verdict: 'fail', decisive: { metric: 'error-rate' } });

    // Act: the fixed release, under the same load
    await applyCommit(scenario, good!.id, repo.dir);
    const second = await cliJson(['push', '--repo', repo.dir, ...dd]);
    const completed = await untilFinished(second.run, dd, 60_000);
    const summary = await load.stop();

    // Assert: every step passed, the new release serves all traffic
    expect(completed.run.status).toBe(good!.expect.status);
    const passed = (completed as unknown as { canary: CanaryView }).canary;
    expect(passed.steps.filter((s) => s.verdict === 'pass').map((s) => s.percent)).toEqual([10, 50]);
    expect(passed.outcomes).toMatchObject([{ action: 'complete', serving: completed.run.release }]);
    expect(await servedVersion(repo.ports.prod!)).toBe(completed.run.release);
    // The load really flowed, and the old release never stopped answering it.
    expect(summary.requests).toBeGreaterThan(200);
    expect(summary.connectionErrors, JSON.stringify(summary)).toBe(0);
  }, 150_000);
});
