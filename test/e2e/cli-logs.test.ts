import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cli,
  cliJson,
  createTestRepo,
  freePort,
  type ShownStage,
  startUp,
  untilShown,
  upPerTest,
} from '../unit/cli/e2e-harness.js';

const session = upPerTest();

describe('tollgate logs and show against tollgate up', () => {
  it('prints a run’s task log lines per stage and environment, shows its number, and refuses bad input in one line', async () => {
    // Arrange
    const repo = await createTestRepo(['ana']);
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-cli-logs-'));
    session.dataDir = dataDir;
    session.up = await startUp(dataDir, repo.dir, await freePort());
    const dd = ['--data-dir', dataDir];
    repo.commit('Add release notes', { 'NOTES.md': 'v2\n' });
    const pushed = await cliJson(['push', '--repo', repo.dir, ...dd]);
    await untilShown('the prod approval gate', pushed.run, dataDir, (shown) =>
      shown.stages.some((s: ShownStage) => s.environment === 'prod' && s.status === 'waiting'),
    );

    // Act
    const deployLogs = await cliJson(['logs', pushed.run, '--stage', 'deploy', '--env', 'test', ...dd]);
    const human = await cli(['logs', pushed.run, '--stage', 'smoke-test', ...dd]);
    const shown = await cli(['show', '#1', ...dd]);
    const shownJson = await cliJson(['show', pushed.run, ...dd]);
    const badStage = await cli(['logs', pushed.run, '--stage', 'deploy-all', ...dd]);
    const badEnv = await cli(['logs', pushed.run, '--env', 'qa', ...dd]);
    const badRun = await cli(['logs', 'no-such-run', ...dd]);

    // Assert
    expect(deployLogs.lines.length).toBeGreaterThan(0);
    expect(
      deployLogs.lines.every(
        (l: { stage: string; environment: string }) => l.stage === 'deploy' && l.environment === 'test',
      ),
    ).toBe(true);
    expect(deployLogs.lines.map((l: { message: string }) => l.message)).toContain('task finished');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/ INFO {2}test smoke-test SmokeTest: task started/);
    expect(shown.stdout.split('\n')[0]).toMatch(new RegExp(`^run #1 ${pushed.run} {2}RUNNING`));
    expect(shownJson.run.number).toBe(1);
    for (const [result, message] of [
      [badStage, /^--stage must be one of event, plan, .*; got "deploy-all"$/],
      [badEnv, /^run \S+ has no log lines in environment "qa" \(it has: test(, prod)?\)$/],
      [badRun, /no-such-run/],
    ] as const) {
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr.trim().replace(/^tollgate: /, '')).toMatch(message);
    }
  }, 240_000);
});
