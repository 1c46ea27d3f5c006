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
  releaseBaseline,
  servedVersion,
  untilFinished,
  untilGate,
} from './scenario-support.js';

const session = upPerTest();

describe('scenario d-reject-at-prod-gate', () => {
  it('ends the run as rejected, with who and why, and keeps prod on its release when the approver rejects', async () => {
    // Arrange
    const scenario = loadScenario('d-reject-at-prod-gate');
    const risky = scenario.commits[0]!;
    const step = risky.next[0]!;
    const repo = await createScenarioRepo(
      [{ name: 'test' }, { name: 'prod', approval: true }],
      scenario.concurrency,
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-scenario-d-'));
    session.dataDir = dataDir;
    const dd = ['--data-dir', dataDir];
    session.up = await startUp(dataDir, repo.dir, await freePort());
    const baseline = await releaseBaseline(repo, dd, 'prod');
    await applyCommit(scenario, risky.id, repo.dir);
    const { run } = await cliJson(['push', '--repo', repo.dir, ...dd]);
    await untilGate(run, step.reject!, dd);

    // Act
    const rejected = await cliJson([
      'reject',
      run,
      '--env',
      step.reject!,
      '--as',
      step.as!,
      '--reason',
      step.reason!,
      ...dd,
    ]);
    const finished = await untilFinished(run, dd);

    // Assert
    expect(rejected).toMatchObject({ environment: 'prod', status: 'rejected', delivered: true });
    expect(finished.run.status).toBe(risky.expect.status);
    expect(finished.run.error).toBe(risky.expect.failed!.error);
    expect(finished.stages.find((s) => s.status === 'failed')).toMatchObject(risky.expect.failed!);
    expect(finished.stages.filter((s) => s.environment === 'prod').map((s) => s.stage)).toEqual(['approval']);
    expect(finished.approvals).toContainEqual(
      expect.objectContaining({ environment: 'prod', actor: step.as, outcome: 'rejected' }),
    );
    expect(await servedVersion(repo.ports.prod!)).toBe(baseline.run.release);
    const decision = readLedger(dataDir).find(
      (e) => e.kind === 'approval-decision' && e.executionArn === finished.run.executionArn,
    );
    expect(decision).toMatchObject({ actor: step.as });
    expect(JSON.stringify(decision!.data)).toContain(step.reason);
  }, 150_000);
});
