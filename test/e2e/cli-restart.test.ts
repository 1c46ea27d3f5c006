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
  waitFor,
} from '../unit/cli/e2e-harness.js';

const session = upPerTest();

describe('tollgate up across a crash', () => {
  it('finishes a run after kill -9 in the middle of it and a restart on the same data directory', async () => {
    // Arrange
    const repo = await createTestRepo(['ana']);
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-cli-crash-'));
    session.dataDir = dataDir;
    const port = await freePort();
    const dd = ['--data-dir', dataDir];
    let up = await startUp(dataDir, repo.dir, port);
    session.up = up;
    repo.commit('Change the notes', { 'NOTES.md': 'crash\n' });
    const { run } = await cliJson(['push', '--repo', repo.dir, ...dd]);
    // Crash while the run builds or walks test: well before its approval gate.
    await waitFor('the run to start', async () => {
      const { runs } = await cliJson(['runs', ...dd]);
      return runs.some((r: { name: string }) => r.name === run) ? true : undefined;
    });

    // Act
    await up.crash();
    const whileDown = await cli(['runs', ...dd]);
    up = await startUp(dataDir, repo.dir, port);
    session.up = up;
    await untilShown('the prod approval gate after the restart', run, dataDir, (shown) =>
      shown.stages.some((s: ShownStage) => s.stage === 'approval' && s.status === 'waiting'),
    );
    await cliJson(['approve', run, '--as', 'ana', ...dd]);
    const finished = await untilShown('the run to finish', run, dataDir, ended);

    // Assert
    expect(whileDown.code).not.toBe(0);
    expect(whileDown.stderr.trim()).toBe(
      `tollgate: no Tollgate runtime at http://127.0.0.1:${port}; start it with \`npx tollgate up\``,
    );
    expect(finished.run.status).toBe('SUCCEEDED');
    // Recovery replays the environments Map: each iteration continues where it was, so prod ends
    // with its gate, deploy, smoke test and promotion once each.
    const prodStages = finished.stages.filter((s: ShownStage) => s.environment === 'prod');
    expect(prodStages.map((s: ShownStage) => s.stage).slice(-4)).toEqual([
      'approval',
      'deploy',
      'smoke-test',
      'promote',
    ]);
    expect(prodStages.filter((s: ShownStage) => s.status === 'failed')).toEqual([]);
    const version = (await (await fetch(`http://127.0.0.1:${repo.ports.prod}/version`)).json()) as {
      digest: string;
    };
    expect(version.digest).toBe(finished.run.digest);
  });
});
