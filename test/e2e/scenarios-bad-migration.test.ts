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
  releaseBaseline,
  seedSource,
  servedVersion,
  untilFinished,
  untilGate,
} from './scenario-support.js';

const session = upPerTest();

describe('scenario b-bad-migration-fails-in-test', () => {
  it('fails the run at migrate in test when prod holds case-duplicate e-mails, and leaves prod on its release with the same data', async () => {
    // Arrange
    const scenario = loadScenario('b-bad-migration-fails-in-test');
    const bad = scenario.commits[0]!;
    const repo = await createScenarioRepo(
      [
        { name: 'test', database: 'refresh' },
        { name: 'prod', database: 'source', approval: true },
      ],
      scenario.concurrency,
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-scenario-b-'));
    session.dataDir = dataDir;
    const dd = ['--data-dir', dataDir];
    session.up = await startUp(dataDir, repo.dir, await freePort());
    const duplicates = await seedSource(repo, 'prod', dataDir);
    const baseline = await releaseBaseline(repo, dd, 'prod');
    const prodBefore = await fingerprint(repo, 'prod', dataDir);

    // Act
    const commit = await applyCommit(scenario, bad.id, repo.dir);
    const { run } = await cliJson(['push', '--repo', repo.dir, ...dd]);
    const finished = await untilFinished(run, dd);
    const envs = await cliJson(['envs', ...dd]);

    // Assert
    expect(duplicates).toBeGreaterThan(0);
    expect(finished.run.commit.commit).toBe(commit);
    expect(finished.run.status).toBe(bad.expect.status);
    const failedStage = finished.stages.find((s) => s.status === 'failed');
    expect(failedStage).toMatchObject({
      environment: bad.expect.failed!.environment,
      stage: bad.expect.failed!.stage,
      error: bad.expect.failed!.error,
    });
    expect(failedStage!.cause).toMatch(/lower\(email\)|duplicate|unique/i);
    expect(finished.stages.some((s) => s.environment === 'prod')).toBe(false);
    expect(await fingerprint(repo, 'prod', dataDir)).toBe(prodBefore);
    expect(await servedVersion(repo.ports.prod!)).toBe(baseline.run.release);
    expect(envs.environments.find((e: { environment: string }) => e.environment === 'prod')).toMatchObject({
      version: baseline.run.release,
      executionArn: baseline.run.executionArn,
    });

    // Act: the scenario's second commit, the migration that merges the duplicates first
    const fixed = scenario.commits[1]!;
    const fixedCommit = await applyCommit(scenario, fixed.id, repo.dir);
    const second = await cliJson(['push', '--repo', repo.dir, ...dd]);
    const step = fixed.next[0]!;
    await untilGate(second.run, step.approve!, dd);
    await cliJson([
      'approve',
      second.run,
      '--env',
      step.approve!,
      '--as',
      step.as!,
      '--comment',
      step.comment!,
      ...dd,
    ]);
    const done = await untilFinished(second.run, dd);

    // Assert: it passed on the same masked prod data, and prod now serves it
    expect(done.run.commit.commit).toBe(fixedCommit);
    expect(done.run.status).toBe(fixed.expect.status);
    const migrated = done.stages.find((s) => s.environment === 'test' && s.stage === 'migrate');
    // `show --json` gives a stage's evidence as the model's typed list (model/evidence.ts)
    expect(migrated?.evidence).toContainEqual(
      expect.objectContaining({
        kind: 'migrations',
        applied: [expect.objectContaining({ name: '0003_unique_lower_email' })],
      }),
    );
    expect(await servedVersion(repo.ports.prod!)).toBe(done.run.release);
  }, 240_000);
});
