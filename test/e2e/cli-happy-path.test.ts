import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  atGate,
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

describe('tollgate CLI against tollgate up', () => {
  it('pushes a commit, shows its run, takes an approval from someone other than the author, and promotes it to prod', async () => {
    // Arrange
    const repo = await createTestRepo(['ana', 'Dev']);
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-cli-data-'));
    session.dataDir = dataDir;
    const up = await startUp(dataDir, repo.dir, await freePort());
    session.up = up;
    const dd = ['--data-dir', dataDir];
    const head = repo.commit('Add release notes', { 'NOTES.md': 'v2\n' });

    // Act
    const pushed = await cliJson(['push', '--repo', repo.dir, ...dd]);
    const waiting = await untilShown('the prod approval gate', pushed.run, dataDir, atGate('prod'));
    const runs = await cliJson(['runs', '--status', 'waiting', ...dd]);
    const selfApproval = await cli(['approve', pushed.run, '--as', 'Dev', ...dd]);
    // The short id the terminal prints names the run too.
    const approved = await cliJson([
      'approve',
      pushed.run.slice(0, 8),
      '--as',
      'ana',
      '--comment',
      'looks good',
      ...dd,
    ]);
    const finished = await untilShown('the run to finish', pushed.run, dataDir, ended);
    const envs = await cliJson(['envs', ...dd]);
    const human = await cli(['show', pushed.run, ...dd]);

    // Assert
    expect(pushed).toMatchObject({
      commit: head,
      branch: 'main',
      repository: 'orders-service',
      author: { name: 'Dev' },
    });
    expect(runs.runs).toHaveLength(1);
    expect(runs.runs[0]).toMatchObject({
      name: pushed.run,
      status: 'RUNNING',
      state: 'waiting',
      environment: 'prod',
      approvers: expect.arrayContaining(['ana']),
      commit: head,
      message: 'Add release notes',
    });
    expect(
      waiting.stages
        .filter((s: ShownStage) => s.environment === 'test')
        .map((s: ShownStage) => [s.stage, s.status]),
    ).toEqual([
      ['deploy', 'succeeded'],
      ['smoke-test', 'succeeded'],
      ['promote', 'succeeded'],
    ]);
    expect(selfApproval.code).not.toBe(0);
    expect(selfApproval.stderr.trim().split('\n')).toHaveLength(1);
    expect(selfApproval.stderr).toMatch(/self-approval/);
    expect(approved).toMatchObject({
      environment: 'prod',
      outcome: 'decided',
      status: 'approved',
      delivered: true,
    });
    expect(finished.run.status).toBe('SUCCEEDED');
    expect(
      finished.approvals.some(
        (a: { actor: string; outcome: string }) => a.actor === 'ana' && a.outcome === 'approved',
      ),
    ).toBe(true);
    const prod = envs.environments.find((e: { environment: string }) => e.environment === 'prod');
    expect(prod).toMatchObject({
      version: finished.run.release,
      approvedBy: ['ana'],
      executionArn: finished.run.executionArn,
    });
    const version = (await (await fetch(`http://127.0.0.1:${repo.ports.prod}/version`)).json()) as {
      digest: string;
    };
    expect(version.digest).toBe(finished.run.digest);
    expect(human.stdout).toMatch(/prod\s+approval\s+succeeded/);
    expect(up.output()).toContain(`npx tollgate approve ${pushed.run}`);
  });
});
