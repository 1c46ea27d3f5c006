import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cliJson,
  ended,
  freePort,
  spawnUp,
  untilShown,
  upPerTest,
  waitFor,
} from '../unit/cli/e2e-harness.js';

/** The example's prod port (examples/orders-service/tollgate.config.ts). */
const PROD_PORT = 4703;

const session = upPerTest();

/**
 * What `npm start` does on a fresh machine, as a user sees it: `tollgate up --demo` as a child
 * process reaches the prod gate of the demo run with no other step, `tollgate approve` lets it
 * through, and prod serves the new release on /version. A second start reuses the demo.
 */
describe('tollgate up --demo (npm start)', () => {
  it('reaches the demo run’s prod gate, and after approve prod serves the new release', async () => {
    // Arrange
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-demo-'));
    session.dataDir = dataDir;
    const dd = ['--data-dir', dataDir];
    const port = await freePort();
    // Act
    let up = await spawnUp(['--demo', ...dd, '--port', String(port)]);
    session.up = up;
    const run = await waitFor(
      'the demo run to wait at the prod gate',
      async () => {
        // The bootstrap run passes its gate too (approved by the demo); the demo commit's run is
        // the one started after the commit notice.
        const out = up.output();
        const after = out.indexOf('the hook started its run');
        return after === -1 ? undefined : /approve: npx tollgate approve (\S+)/.exec(out.slice(after))?.[1];
      },
      150_000,
    );
    const approved = await cliJson(['approve', run, ...dd]);
    const finished = await untilShown('the demo run to finish', run, dataDir, ended, 60_000);
    const served = (await (await fetch(`http://127.0.0.1:${PROD_PORT}/version`)).json()) as {
      version: string;
    };
    // Assert
    expect(approved).toMatchObject({ environment: 'prod', outcome: 'decided', status: 'approved' });
    expect(finished.run.status).toBe('SUCCEEDED');
    expect(finished.run.commit.message).toBe('Add release notes for the first Tollgate release');
    expect(served.version).toBe(finished.run.release);
    const refreshed = finished.stages.filter((s: { stage: string }) => s.stage === 'refresh');
    expect(refreshed.map((s: { environment: string }) => s.environment)).toEqual(
      expect.arrayContaining(['test', 'staging']),
    );

    // Act: a second start reuses the demo
    await up.stop();
    up = await spawnUp(['--demo', ...dd, '--port', String(port)]);
    session.up = up;
    await waitFor(
      'the reuse notice',
      async () => (/demo: reusing/.test(up.output()) ? true : undefined),
      30_000,
    );
    // Assert
    const runs = await cliJson(['runs', ...dd]);
    expect(runs.runs.filter((r: { status: string }) => r.status === 'RUNNING')).toEqual([]);
  }, 300_000);
});
