import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cli,
  cliJson,
  createTestRepo,
  ended,
  freePort,
  type ShownStage,
  startUp,
  untilShown,
  upPerTest,
} from '../unit/cli/e2e-harness.js';

const session = upPerTest();

describe('tollgate stats and run numbers against tollgate up', () => {
  it('approves a run by its number, then reports its DORA measures and stage durations', async () => {
    // Arrange
    const repo = await createTestRepo(['ana', 'Dev']);
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-cli-data-'));
    session.dataDir = dataDir;
    session.up = await startUp(dataDir, repo.dir, await freePort());
    const dd = ['--data-dir', dataDir];
    repo.commit('OPS-1 release notes', { 'NOTES.md': 'v2\n' });
    const pushed = await cliJson(['push', '--repo', repo.dir, ...dd]);
    await untilShown('the prod approval gate', '#1', dataDir, (shown) =>
      shown.stages.some((s: ShownStage) => s.stage === 'approval' && s.status === 'waiting'),
    );
    // Act
    const approved = await cliJson(['approve', '#1', '--as', 'ana', ...dd]);
    const finished = await untilShown('the run to finish', '1', dataDir, ended);
    const runs = await cliJson(['runs', ...dd]);
    const stats = await cliJson(['stats', '--days', '7', ...dd]);
    const human = await cli(['stats', ...dd]);
    const badDays = await cli(['stats', '--days', '0', ...dd]);
    const unknown = await cli(['show', '#9', ...dd]);
    // Assert
    expect(approved.run).toBe(pushed.run);
    expect(finished.run.status).toBe('SUCCEEDED');
    expect(runs.runs[0]).toMatchObject({ number: 1, name: pushed.run });
    const [pipeline] = stats.pipelines;
    expect(pipeline.pipeline).toBe('orders-service');
    const prod = pipeline.dora.environments.find((e: { environment: string }) => e.environment === 'prod');
    expect(prod).toMatchObject({ deployments: 1, failedDeployments: 0, changeFailureRate: 0 });
    expect(prod.leadTime.samples).toBe(1);
    expect(prod.leadTime.medianMs).toBeGreaterThan(0);
    expect(pipeline.stages.runs).toMatchObject([{ number: 1, name: pushed.run, status: 'SUCCEEDED' }]);
    expect(pipeline.stages.runs[0].durations.deploy).toBeGreaterThan(0);
    expect(human.stdout).toMatch(/^orders-service: last 90 days$/m);
    expect(human.stdout).toMatch(/^prod\s+1\s+/m);
    expect(badDays.code).toBe(2);
    expect(badDays.stderr.trim()).toBe('tollgate: --days must be a whole number from 1 to 3660, got "0"');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/unknown run "#9"/);
  }, 240_000);
});
