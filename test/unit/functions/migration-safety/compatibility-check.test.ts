import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationSafetyInput } from '../../../../functions/migration-safety/input.js';
import { migrationSafety } from '../../../../functions/migration-safety/migration-safety.js';
import { DirArtifactStore } from '../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import { VolumeHost } from '../../../../functions/shared/adapters/local/pglite-volumes.js';
import { ProcessReleaseTrials } from '../../../../functions/shared/adapters/local/process-release-trials.js';
import { systemClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { ReleaseRef } from '../../../../functions/shared/release.js';
import { freePort } from '../../../support/free-port.js';
import { sql } from '../../../support/pglite-server.js';

const PG_WIRE = readFileSync(
  new URL('../../../../examples/orders-service/src/pg-wire.mjs', import.meta.url),
  'utf8',
);
// The previous release: /orders/recent reads orders.note, as the example app's first release does.
const APP = `
import { createServer } from 'node:http';
import { query } from './pg-wire.mjs';
createServer(async (req, res) => {
  if (req.url === '/health') return res.end('"ok"');
  try { res.end(JSON.stringify(await query(process.env.DATABASE_URL, 'SELECT id, note FROM orders'))); }
  catch (e) { res.statusCode = 500; res.end(e.message); }
}).listen(Number(process.env.PORT), '127.0.0.1');
`;
const MIGRATIONS = {
  '0001_orders.sql': 'CREATE TABLE orders (id int PRIMARY KEY, note text)',
  '0002_drop_note.sql': 'ALTER TABLE orders DROP COLUMN note',
};
const RUN = 'arn:aws:states:local:0:execution:tollgate:compat';

async function releaseTarball(files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  for (const [name, content] of Object.entries(files)) p.entry({ name }, content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

describe('migration-safety compatibility check', () => {
  let dir = '';
  let host: VolumeHost;
  let url = '';
  let trials: ProcessReleaseTrials;
  let artifacts: DirArtifactStore;
  let previous: ReleaseRef;
  let next: ReleaseRef;
  let dbPort = 0;
  // One run per test: the ledger keeps one entry per run and state, as a re-invoked task must not add a second.
  let run = 0;

  const configWith = (breaking: string[]) =>
    parseConfig({
      name: 'orders',
      source: { repository: 'orders' },
      build: { command: 'true', artifact: 'dist/release.tgz' },
      database: { engine: 'postgres', source: 'prod', breaking },
      environments: [
        {
          name: 'test',
          deploy: { type: 'process', command: 'node server.mjs', port: 40001, healthPath: '/health' },
          database: { refresh: true, port: dbPort },
          deployTimeout: '20s',
        },
        { name: 'prod', deploy: { type: 'process', command: 'node server.mjs', port: 40002 }, database: {} },
      ],
      smokeTests: [{ name: 'recent-orders', path: '/orders', expectStatus: 200, retries: 0 }],
    });

  function ports(breaking: string[] = []) {
    const config = configWith(breaking);
    run += 1;
    trials = new ProcessReleaseTrials({
      config,
      dataDir: join(dir, '.tollgate'),
      artifacts,
      healthIntervalMs: 50,
      stopGraceMs: 500,
    });
    return {
      config,
      clock: systemClock,
      artifacts,
      trials,
      ledger: new DirLedger(join(dir, 'ledger')),
      snapshots: undefined as never,
    };
  }

  const input = (action: MigrationSafetyInput['action'], extra: Partial<MigrationSafetyInput> = {}) =>
    ({
      executionArn: `${RUN}-${run}`,
      stateName: `S-${action}`,
      pipeline: 'orders',
      environment: 'test',
      action,
      release: next,
      ...extra,
    }) as MigrationSafetyInput;

  const deps = { sleep: async () => undefined, connection: async () => url };

  /** trial-start → poll until it leaves STARTING → trial-check, as the ASL runs them. */
  async function check(p: ReturnType<typeof ports>, plan: { pending: string[]; breaking: string[] }) {
    const trial = (await migrationSafety(input('trial-start', { plan }), p, deps)) as {
      trialId: string;
      release: ReleaseRef;
    };
    let status: Record<string, unknown> = {};
    for (let i = 0; i < 200; i += 1) {
      status = await migrationSafety(input('trial-poll', { trial }), p, deps);
      if (status.state !== 'STARTING') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const outcome = migrationSafety(input('trial-check', { plan, trial, status: status as never }), p, deps);
    return { outcome, baseUrl: status.baseUrl as string };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'compat-check-'));
    dbPort = await freePort();
    host = new VolumeHost({ dataDir: join(dir, '.tollgate') });
    url = await host.open('test', dbPort);
    artifacts = new DirArtifactStore(join(dir, 'artifacts'));
    const prevTar = await releaseTarball({
      'server.mjs': APP,
      'pg-wire.mjs': PG_WIRE,
      'migrations/0001_orders.sql': MIGRATIONS['0001_orders.sql'],
    });
    const nextTar = await releaseTarball({
      'server.mjs': APP,
      'pg-wire.mjs': PG_WIRE,
      ...Object.fromEntries(Object.entries(MIGRATIONS).map(([k, v]) => [`migrations/${k}`, v])),
    });
    const a = await artifacts.ingest(Readable.from([prevTar]));
    const b = await artifacts.ingest(Readable.from([nextTar]));
    previous = { version: 'r1-aaaaaaa', digest: a.digest, artifactKey: a.key, commit: 'a'.repeat(40) };
    next = { version: 'r2-bbbbbbb', digest: b.digest, artifactKey: b.key, commit: 'b'.repeat(40) };
    // What a rollback would put back: the release promoted to the environment last.
    await artifacts.putPointer('envs/orders/test.json', {
      ...previous,
      pipeline: 'orders',
      environment: 'test',
      previous: null,
    });
    await sql(url, MIGRATIONS['0001_orders.sql']);
    await sql(url, "INSERT INTO orders VALUES (1, 'leave at the door')");
  }, 180_000);
  afterAll(async () => {
    await trials?.close();
    await host.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('plans the migrations the database has not applied, and no checkpoint in a refreshed environment', async () => {
    // Arrange: the database has no tollgate_migrations yet
    const p = ports(['0002_drop_note', '0009_not_yet']);

    // Act
    const plan = await migrationSafety(input('plan'), p, deps);

    // Assert
    expect(plan).toEqual({
      pending: ['0001_orders', '0002_drop_note'],
      breaking: ['0002_drop_note'],
      checkpoint: false,
      breakingNotInRelease: ['0009_not_yet'],
    });
  });

  it('passes, and stops the trial, when the previous release still reads the schema', async () => {
    // Arrange
    const p = ports();

    // Act
    const { outcome, baseUrl } = await check(p, { pending: ['0002_drop_note'], breaking: [] });

    // Assert
    await expect(outcome).resolves.toMatchObject({
      result: 'passed',
      rollbackSafe: true,
      previousRelease: previous.version,
    });
    await expect(fetch(`${baseUrl}/health`)).rejects.toThrow();
  });

  it('answers pending after a Tollgate restart stopped the ready trial, starts it again from its saved request, then checks it', async () => {
    // Arrange: the trial is seen READY, then Tollgate stops (its trials with it) and starts again.
    const p = ports();
    const plan = { pending: ['0002_drop_note'], breaking: [] };
    const trial = (await migrationSafety(input('trial-start', { plan }), p, deps)) as { trialId: string };
    const pollUntilSettled = async (q: typeof p) => {
      for (let i = 0; i < 200; i += 1) {
        const status = await migrationSafety(input('trial-poll', { trial: trial as never }), q, deps);
        if (status.state !== 'STARTING') return status;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the trial never left STARTING');
    };
    const seen = await pollUntilSettled(p);
    expect(seen.state).toBe('READY');
    await p.trials.close();
    const restarted = {
      ...p,
      trials: new ProcessReleaseTrials({
        config: p.config,
        dataDir: join(dir, '.tollgate'),
        artifacts,
        healthIntervalMs: 50,
        stopGraceMs: 500,
        // No hold: the check then sees the trial still starting, as it does one slower than a hold.
        pollHoldMs: 0,
      }),
    };
    trials = restarted.trials;

    // Act
    const first = await migrationSafety(
      input('trial-check', { plan, trial: trial as never, status: seen as never }),
      restarted,
      deps,
    );
    const again = await pollUntilSettled(restarted);
    const second = await migrationSafety(
      input('trial-check', { plan, trial: trial as never, status: again as never }),
      restarted,
      deps,
    );

    // Assert: no smoke test ran against the dead address; the trial that came back passed them.
    expect(first).toEqual({ pending: true, trialId: trial.trialId });
    expect(again.state).toBe('READY');
    expect(second).toMatchObject({ result: 'passed', rollbackSafe: true });
    await expect(fetch(`${again.baseUrl as string}/health`)).rejects.toThrow();
  });

  it('fails Tollgate.NotRollbackSafe naming the failing check when the migration dropped a column the previous release reads', async () => {
    // Arrange
    const p = ports();
    await sql(url, MIGRATIONS['0002_drop_note.sql']);

    // Act
    const { outcome, baseUrl } = await check(p, { pending: ['0002_drop_note'], breaking: [] });

    // Assert
    await expect(outcome).rejects.toMatchObject({
      name: 'Tollgate.NotRollbackSafe',
      message: expect.stringMatching(/r1-aaaaaaa .*recent-orders .*expected status 200, got 500/),
    });
    await expect(fetch(`${baseUrl}/health`)).rejects.toThrow();
    const entries = await p.ledger.query({ kinds: ['compatibility-check'] });
    expect(entries.at(-1)).toMatchObject({
      environment: 'test',
      releaseVersion: next.version,
      data: { result: 'failed', rollbackSafe: false },
    });
  });

  it('warns instead of failing when the migration is marked breaking: a rollback would need a data restore', async () => {
    // Arrange: the column is already gone (previous test)
    const p = ports(['0002_drop_note']);

    // Act
    const { outcome } = await check(p, { pending: ['0002_drop_note'], breaking: ['0002_drop_note'] });

    // Assert
    await expect(outcome).resolves.toMatchObject({
      result: 'breaking',
      rollbackSafe: false,
      breaking: ['0002_drop_note'],
      warning: expect.stringContaining('would need a data restore'),
    });
  });
});
