import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliJson, createTestRepo, freePort, startUp, upPerTest } from '../unit/cli/e2e-harness.js';
import { readLedger, untilFinished } from './scenario-support.js';

const session = upPerTest();

describe('a commit on a branch the config does not run', () => {
  it('is a recorded skip in the ledger and in tollgate runs, and tollgate push says so', async () => {
    // Arrange
    const repo = await createTestRepo();
    execFileSync('git', ['checkout', '-q', '-b', 'feature/x'], { cwd: repo.dir });
    const commit = repo.commit('Work in progress', { 'NOTES.md': 'wip\n' });
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-branch-'));
    session.dataDir = dataDir;
    const dd = ['--data-dir', dataDir];
    session.up = await startUp(dataDir, repo.dir, await freePort());

    // Act
    const pushed = await cli(['push', '--repo', repo.dir, ...dd]);
    const { run, skip } = await cliJson(['push', '--repo', repo.dir, ...dd]);
    const finished = await untilFinished(run, dd);
    const { runs } = await cliJson(['runs', ...dd]);

    // Assert
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toContain(
      'branch "feature/x" is not in source.branches (main): the run will end as a recorded skip',
    );
    expect(skip).toMatchObject({ reason: 'branch-not-configured' });
    expect(finished.run.status).toBe('SUCCEEDED');
    expect(finished.run.output).toMatchObject({
      status: 'SKIPPED',
      reason: { reason: 'branch-not-configured' },
    });
    expect(runs.filter((r: { commit: string }) => r.commit === commit)).toHaveLength(2);
    const skips = readLedger(dataDir).filter((e) => e.kind === 'run-skipped');
    expect(skips.map((e) => e.data.skip.reason)).toEqual(['branch-not-configured', 'branch-not-configured']);
  }, 120_000);
});
