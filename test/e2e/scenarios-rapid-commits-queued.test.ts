import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliJson, freePort, startUp, upPerTest } from '../unit/cli/e2e-harness.js';
import {
  applyCommit,
  createScenarioRepo,
  loadScenario,
  readLedger,
  servedVersion,
  show,
  untilFinished,
  untilGate,
} from './scenario-support.js';

const session = upPerTest();

describe('scenario e-rapid-commits-queued', () => {
  it('runs every one of three quickly pushed commits, one at a time in commit order, when concurrency is queued', async () => {
    // Arrange
    const scenario = loadScenario('e-rapid-commits-queued');
    // No poll interval to shorten: a queued run is woken the moment the run before it releases.
    const repo = await createScenarioRepo([{ name: 'test' }, { name: 'prod', approval: true }], {
      mode: scenario.concurrency,
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-scenario-eq-'));
    session.dataDir = dataDir;
    const dd = ['--data-dir', dataDir];
    session.up = await startUp(dataDir, repo.dir, await freePort());
    const pushed: Array<{ run: string; commit: string }> = [];
    const commitAndPush = async (id: string) => {
      const commit = await applyCommit(scenario, id, repo.dir);
      const { run } = await cliJson(['push', '--repo', repo.dir, ...dd]);
      pushed.push({ run, commit });
    };

    // Act
    await commitAndPush(scenario.commits[0]!.id);
    await untilGate(pushed[0]!.run, 'prod', dd);
    await commitAndPush(scenario.commits[1]!.id);
    await commitAndPush(scenario.commits[2]!.id);
    const whileFirstWaits = await Promise.all(pushed.slice(1).map(({ run }) => show(run, dd)));
    const finished = [];
    for (const [i, { run }] of pushed.entries()) {
      const step = scenario.commits[i]!.next[0]!;
      await untilGate(run, step.approve!, dd);
      await cliJson(['approve', run, '--env', step.approve!, '--as', step.as!, ...dd]);
      finished.push(await untilFinished(run, dd));
      expect(await servedVersion(repo.ports.prod!)).toBe(finished[i]!.run.release);
    }
    const { runs } = await cliJson(['runs', ...dd]);

    // Assert
    for (const shown of whileFirstWaits) {
      expect(shown.run.status).toBe('RUNNING');
      expect(new Set(shown.stages.map((s) => s.stage))).toEqual(new Set(['queue']));
    }
    expect(finished.map((f) => f.run.status)).toEqual(scenario.commits.map((c) => c.expect.status));
    expect(finished.map((f) => f.run.commit.commit)).toEqual(pushed.map((p) => p.commit));
    expect(runs.map((r: { commit: string }) => r.commit).reverse()).toEqual(pushed.map((p) => p.commit));
    const summaries = readLedger(dataDir).filter((e) => e.kind === 'run-summary');
    expect(summaries.map((e) => e.executionArn)).toEqual(finished.map((f) => f.run.executionArn));
    // One at a time: each run builds only after the one before it has recorded its outcome, its
    // last step before it lets go of the lock (the next run is woken at that release, which can
    // come a moment before the previous execution itself is reported stopped).
    for (let i = 1; i < finished.length; i++) {
      const build = finished[i]!.stages.find((s) => s.stage === 'build')!;
      expect(Date.parse((build as unknown as { startedAt: string }).startedAt)).toBeGreaterThanOrEqual(
        Date.parse((summaries[i - 1] as unknown as { at: string }).at),
      );
    }
  }, 150_000);
});
