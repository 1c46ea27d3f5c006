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
} from './scenario-support.js';

const session = upPerTest();

describe('scenario c-health-degrades-in-staging', () => {
  it('fails the smoke tests in staging only, rolls staging back to the previous release and never reaches prod', async () => {
    // Arrange
    const scenario = loadScenario('c-health-degrades-in-staging');
    const broken = scenario.commits[0]!;
    const repo = await createScenarioRepo(
      [{ name: 'test' }, { name: 'staging' }, { name: 'prod', approval: true }],
      scenario.concurrency,
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-scenario-c-'));
    session.dataDir = dataDir;
    const dd = ['--data-dir', dataDir];
    session.up = await startUp(dataDir, repo.dir, await freePort());
    const baseline = await releaseBaseline(repo, dd, 'prod');

    // Act
    await applyCommit(scenario, broken.id, repo.dir);
    const { run } = await cliJson(['push', '--repo', repo.dir, ...dd]);
    const finished = await untilFinished(run, dd);
    const envs = await cliJson(['envs', ...dd]);
    const stagingHealth = await fetch(`http://127.0.0.1:${repo.ports.staging}/health`);

    // Assert
    expect(finished.run.status).toBe(broken.expect.status);
    const byEnv = (env: string) =>
      finished.stages.filter((s) => s.environment === env).map((s) => [s.stage, s.status]);
    expect(byEnv('test')).toEqual([
      ['deploy', 'succeeded'],
      ['smoke-test', 'succeeded'],
      ['promote', 'succeeded'],
    ]);
    // The rollout probe passed; only the smoke tests saw /health degrade.
    expect(byEnv('staging')).toEqual([
      ['deploy', 'succeeded'],
      ['smoke-test', 'failed'],
      ['rollback', 'succeeded'],
    ]);
    expect(byEnv('prod')).toEqual([]);
    expect(finished.stages.find((s) => s.status === 'failed')).toMatchObject(broken.expect.failed!);
    const served = {
      test: await servedVersion(repo.ports.test!),
      staging: await servedVersion(repo.ports.staging!),
      prod: await servedVersion(repo.ports.prod!),
    };
    expect(served).toEqual(
      Object.fromEntries(
        Object.entries(broken.expect.served!).map(([env, which]) => [
          env,
          which === 'this' ? finished.run.release : baseline.run.release,
        ]),
      ),
    );
    expect(stagingHealth.status).toBe(200);
    const staging = envs.environments.find((e: { environment: string }) => e.environment === 'staging');
    expect(staging.version).toBe(baseline.run.release);
    const rollbacks = readLedger(dataDir).filter(
      (e) => e.kind === 'rollback' && e.executionArn === finished.run.executionArn,
    );
    expect(rollbacks.map((e) => (e as { environment?: string }).environment)).toEqual(
      broken.expect.rolledBack,
    );
  }, 150_000);
});
