import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppProcess, isGroupAlive } from '../../../../../../functions/shared/adapters/local/app-process.js';
import { AppRecords } from '../../../../../../functions/shared/adapters/local/app-records.js';
import { DirArtifactStore } from '../../../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { ProcessDeployer } from '../../../../../../functions/shared/adapters/local/process-deployer.js';
import { ProxyMetricsSource } from '../../../../../../functions/shared/adapters/local/proxy-metrics-source.js';
import { systemClock } from '../../../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import type { ArtifactStore } from '../../../../../../functions/shared/ports/artifact-store.js';
import type { ReleaseRef } from '../../../../../../functions/shared/release.js';
import { type DeployerHarness, describeDeployerContract, settle } from '../../ports/deployer.contract.js';

// vitest: own process. A deployer started again on the same data dir takes over the same proxy
// port; in a worker thread shared with other files it was once still taken (EADDRINUSE in CI).

type Mode = 'healthy' | 'unhealthy' | 'crash' | 'stubborn';

// A tiny app whose behaviour a file in the release decides, like a commit would.
const APP = `
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
const mode = readFileSync(new URL('./mode.txt', import.meta.url), 'utf8').trim();
if (mode === 'crash') { console.error('boom: cannot reach the flux capacitor'); process.exit(3); }
const release = JSON.parse(readFileSync(new URL('./release.json', import.meta.url), 'utf8'));
if (mode === 'stubborn') process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
createServer((req, res) => {
  if (req.url === '/health') { res.writeHead(mode === 'unhealthy' ? 500 : 200); res.end(mode); return; }
  if (req.url === '/version') { res.end(JSON.stringify(release)); return; }
  if (req.url === '/env') { res.end(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('TOLLGATE_'))))); return; }
  if (req.url === '/boom') { res.writeHead(500); res.end('boom'); return; }
  res.end('hello');
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT));
`;

async function tarball(mode: Mode): Promise<Buffer> {
  const p = pack();
  p.entry({ name: 'server.mjs' }, APP);
  p.entry({ name: 'mode.txt' }, mode);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

async function release(store: ArtifactStore, version: string, mode: Mode): Promise<ReleaseRef> {
  const { key, digest } = await store.ingest(Readable.from([await tarball(mode)]));
  return { version, digest, artifactKey: key, commit: version.padEnd(40, '0').slice(0, 40) };
}

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

async function world(port?: number) {
  const dir = await mkdtemp(join(tmpdir(), 'process-deployer-'));
  const store = new DirArtifactStore(join(dir, 'artifacts'));
  const config = parseConfig({
    name: 'orders-service',
    source: { repository: 'orders-service' },
    build: { command: 'true', artifact: 'dist/release.tgz' },
    environments: [
      {
        name: 'test',
        deploy: { type: 'process', command: 'node server.mjs', port: port ?? (await freePort()) },
        deployTimeout: '20s',
      },
    ],
  });
  const make = (options: { pollHoldMs?: number } = {}) =>
    new ProcessDeployer({
      config,
      dataDir: join(dir, '.tollgate'),
      artifacts: store,
      healthIntervalMs: 50,
      unhealthyThreshold: 3,
      stopGraceMs: 500,
      ...options,
    });
  return { dir, store, config, make };
}

const key = (n: string) => `arn:aws:states:local:0:execution:tollgate:${n}#Deploy`;
const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
};

describeDeployerContract('ProcessDeployer (real processes and ports)', async (): Promise<DeployerHarness> => {
  const w = await world();
  const deployer = w.make();
  return {
    deployer,
    pipeline: 'orders-service',
    environment: 'test',
    releases: {
      first: await release(w.store, 'r1-aaaaaaa', 'healthy'),
      second: await release(w.store, 'r2-bbbbbbb', 'stubborn'),
      broken: await release(w.store, 'r3-ccccccc', 'unhealthy'),
    },
    unknownDeploymentId: 'local:test:0123456789abcdef',
    advance: () => new Promise((done) => setTimeout(done, 50)),
    close: async () => {
      await deployer.close();
      await rm(w.dir, { recursive: true, force: true });
    },
  };
});

describe('ProcessDeployer', () => {
  let w: Awaited<ReturnType<typeof world>>;
  const open: ProcessDeployer[] = [];
  const h = (deployer: ProcessDeployer) => ({
    deployer,
    advance: () => new Promise<void>((d) => setTimeout(d, 50)),
  });
  const deploy = async (deployer: ProcessDeployer, r: ReleaseRef, n: string) => {
    const { deploymentId } = await deployer.start({
      pipeline: 'orders-service',
      environment: 'test',
      release: r,
      idempotencyKey: key(n),
    });
    return settle(h(deployer) as unknown as DeployerHarness, deploymentId);
  };
  const track = (d: ProcessDeployer) => {
    open.push(d);
    return d;
  };
  const statePath = () => join(w.dir, '.tollgate/envs/test/state.json');
  const state = async () => JSON.parse(await readFile(statePath(), 'utf8'));

  beforeEach(async () => {
    w = await world();
  });
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close();
    await rm(w.dir, { recursive: true, force: true });
  });

  it('serves the release digest through the environment port and stops the old instance when it swaps', async () => {
    // Arrange
    const deployer = track(w.make());
    const r1 = await release(w.store, 'r1-aaaaaaa', 'healthy');
    const r2 = await release(w.store, 'r2-bbbbbbb', 'healthy');
    await deploy(deployer, r1, 'run-1');
    const oldPid = (await state()).active.pid;
    // Act
    await deploy(deployer, r2, 'run-2');
    // Assert
    const version = JSON.parse((await get(`${await deployer.url('test')}/version`)).body);
    expect(version).toEqual({ version: 'r2-bbbbbbb', commit: r2.commit, digest: r2.digest });
    // The same variables the ECS deployer puts on the container.
    expect(JSON.parse((await get(`${await deployer.url('test')}/env`)).body)).toMatchObject({
      TOLLGATE_PIPELINE: 'orders-service',
      TOLLGATE_ENVIRONMENT: 'test',
      TOLLGATE_RELEASE_VERSION: 'r2-bbbbbbb',
      TOLLGATE_RELEASE_COMMIT: r2.commit,
      TOLLGATE_RELEASE_DIGEST: r2.digest,
    });
    expect(isGroupAlive(oldPid)).toBe(false);
    expect(await deployer.previous('orders-service', 'test')).toEqual(r1);
  });

  it('answers the first poll after start with the rollout’s end when it ends within the hold, and at once without one', async () => {
    // Arrange: the state machine polls straight after start, then Waits whole seconds between polls
    const held = track(w.make({ pollHoldMs: 20_000 }));
    const r1 = await release(w.store, 'r1-aaaaaaa', 'healthy');
    const r2 = await release(w.store, 'r2-bbbbbbb', 'healthy');
    const start = (deployer: ProcessDeployer, r: ReleaseRef, n: string) =>
      deployer.start({ pipeline: 'orders-service', environment: 'test', release: r, idempotencyKey: key(n) });
    // Act
    const first = await held.poll((await start(held, r1, 'hold-1')).deploymentId);
    await held.close();
    const plain = track(w.make({ pollHoldMs: 0 }));
    const { deploymentId } = await start(plain, r2, 'hold-2');
    const unheld = await plain.poll(deploymentId);
    // Assert
    expect(first).toMatchObject({ state: 'HEALTHY', serving: 'r1-aaaaaaa' });
    expect(unheld.state).toBe('IN_PROGRESS');
    expect(await settle(h(plain) as unknown as DeployerHarness, deploymentId)).toMatchObject({
      state: 'HEALTHY',
    });
  });

  it('keeps the old release answering on the environment port while a broken release fails', async () => {
    // Arrange
    const deployer = track(w.make());
    const r1 = await release(w.store, 'r1-aaaaaaa', 'healthy');
    await deploy(deployer, r1, 'run-1');
    // Act
    const status = await deploy(deployer, await release(w.store, 'r2-bbbbbbb', 'unhealthy'), 'run-2');
    // Assert
    expect(status.reason).toMatch(
      /^r2-bbbbbbb in test: health check failed: GET \/health answered 500 3 times in a row/,
    );
    expect(JSON.parse((await get(`${await deployer.url('test')}/version`)).body).version).toBe('r1-aaaaaaa');
  });

  it('reports the exit code and the last log lines when the process exits before it is healthy', async () => {
    // Arrange
    const deployer = track(w.make());
    // Act
    const status = await deploy(deployer, await release(w.store, 'r1-aaaaaaa', 'crash'), 'run-1');
    // Assert
    expect(status.state).toBe('FAILED');
    expect(status.reason).toMatch(/process exited with code 3 before becoming healthy/);
    expect(status.reason).toMatch(/last log lines: .*boom: cannot reach the flux capacitor/);
    const log = await readFile(join(w.dir, '.tollgate/envs/test/logs/r1-aaaaaaa.log'), 'utf8');
    expect(log).toContain('boom: cannot reach the flux capacitor');
  });

  it('fails the rollout with a one-line reason when the deploy command cannot be started', async () => {
    // Arrange
    const config = {
      ...w.config,
      environments: [
        {
          ...w.config.environments[0],
          deploy: { ...w.config.environments[0].deploy, command: 'no-such-program-tollgate server.mjs' },
        },
      ],
    };
    const deployer = track(
      new ProcessDeployer({
        config: config as typeof w.config,
        dataDir: join(w.dir, '.tollgate'),
        artifacts: w.store,
      }),
    );
    // Act
    const status = await deploy(deployer, await release(w.store, 'r1-aaaaaaa', 'healthy'), 'run-1');
    // Assert
    expect(status.state).toBe('FAILED');
    expect(status.reason).toMatch(
      /^could not start "no-such-program-tollgate server.mjs" in [^\n]+: is the program installed\?$/,
    );
  });

  it('fails the rollout without starting anything when the artifact does not match the release digest', async () => {
    // Arrange
    const deployer = track(w.make());
    const real = await release(w.store, 'r1-aaaaaaa', 'healthy');
    const forged = { ...real, digest: `sha256:${'1'.repeat(64)}` };
    // Act
    const status = await deploy(deployer, forged, 'run-1');
    // Assert
    expect(status).toMatchObject({ state: 'FAILED' });
    expect(status.reason).toMatch(/does not match the release digest/);
    expect(await deployer.current('orders-service', 'test')).toBeUndefined();
  });

  it('kills an instance that ignores SIGTERM once the grace period is over', async () => {
    // Arrange
    const deployer = track(w.make());
    await deploy(deployer, await release(w.store, 'r1-aaaaaaa', 'stubborn'), 'run-1');
    const pid = (await state()).active.pid;
    // Act
    const stopped = await deployer.stop('orders-service', 'test');
    // Assert
    expect(stopped).toBe('r1-aaaaaaa');
    expect(isGroupAlive(pid)).toBe(false);
    expect((await get(`${await deployer.url('test')}/`)).status).toBe(503);
    expect((await state()).active).toBeNull();
  });

  it('re-adopts the running app without restarting it when a new deployer starts after close({ keepApps })', async () => {
    // Arrange
    const first = w.make();
    await deploy(first, await release(w.store, 'r1-aaaaaaa', 'healthy'), 'run-1');
    const pid = (await state()).active.pid;
    await first.close({ keepApps: true });
    // Act
    const second = track(w.make());
    const report = await second.resume();
    // Assert
    expect(report).toEqual([{ environment: 'test', action: 'adopted', version: 'r1-aaaaaaa' }]);
    expect((await state()).active.pid).toBe(pid);
    expect((await get(`${await second.url('test')}/health`)).status).toBe(200);
  });

  it('stops an app that was started and recorded but never made active (a crash mid-rollout) when a new deployer starts', async () => {
    // Arrange: r1 is active; the crash left a recorded r2 instance that never took over
    const first = w.make();
    await deploy(first, await release(w.store, 'r1-aaaaaaa', 'healthy'), 'run-1');
    const active = (await state()).active.pid;
    await first.close({ keepApps: true });
    const envDir = join(w.dir, '.tollgate/envs/test');
    await writeFile(join(envDir, 'orphan.mjs'), 'setInterval(() => {}, 1000);\n');
    const records = new AppRecords(join(envDir, 'apps'));
    const orphan = await AppProcess.start(
      { command: 'node orphan.mjs', cwd: envDir, port: 1, env: {}, logFile: join(envDir, 'orphan.log') },
      systemClock,
      (pid) => records.record({ pid, port: 1, version: 'r2-bbbbbbb', at: '2026-01-01T00:00:00.000Z' }),
    );
    // Act
    const second = track(w.make());
    const report = await second.resume();
    // Assert
    expect(report).toEqual([{ environment: 'test', action: 'adopted', version: 'r1-aaaaaaa' }]);
    expect(isGroupAlive(orphan.pid)).toBe(false);
    expect(isGroupAlive(active)).toBe(true);
    const left = (await readdir(join(envDir, 'apps'))).filter((n) => n.endsWith('.json'));
    expect(left).toEqual([`${active}.json`]);
  });

  it('restarts the active release when its process is gone at start-up', async () => {
    // Arrange
    const first = w.make();
    await deploy(first, await release(w.store, 'r1-aaaaaaa', 'healthy'), 'run-1');
    const pid = (await state()).active.pid;
    await first.close();
    // Act
    const second = track(w.make());
    const report = await second.resume();
    // Assert
    expect(report).toEqual([{ environment: 'test', action: 'restarted', version: 'r1-aaaaaaa' }]);
    expect((await state()).active.pid).not.toBe(pid);
    expect(JSON.parse((await get(`${await second.url('test')}/version`)).body).version).toBe('r1-aaaaaaa');
  });

  it('reports an interrupted rollout whose record names no release as FAILED (interrupted)', async () => {
    // Arrange
    const deployer = track(w.make());
    await deployer.resume();
    const id = 'local:test:00000000000000aa';
    const record = {
      deploymentId: id,
      state: 'IN_PROGRESS',
      environment: 'test',
      startedAt: '2026-01-01T00:00:00.000Z',
    };
    await writeFile(
      join(w.dir, '.tollgate/envs/test/deployments/00000000000000aa.json'),
      JSON.stringify(record),
    );
    // Act
    const status = await deployer.poll(id);
    // Assert
    expect(status).toMatchObject({ deploymentId: id, state: 'FAILED' });
    expect(status.reason).toMatch(/interrupted/);
  });

  it('runs a rollout again, to HEALTHY, when Tollgate stopped while it was running', async () => {
    // Arrange: the record a killed Tollgate left behind, naming the release it was rolling out.
    const r1 = await release(w.store, 'r1-aaaaaaa', 'healthy');
    const deployer = track(w.make());
    await deployer.resume();
    const id = 'local:test:00000000000000ab';
    const record = {
      deploymentId: id,
      state: 'IN_PROGRESS',
      environment: 'test',
      release: r1,
      idempotencyKey: key('killed-run'),
      startedAt: '2026-01-01T00:00:00.000Z',
    };
    await writeFile(
      join(w.dir, '.tollgate/envs/test/deployments/00000000000000ab.json'),
      JSON.stringify(record),
    );
    // Act
    const status = await settle(h(deployer) as unknown as DeployerHarness, id);
    // Assert
    expect(status).toMatchObject({ deploymentId: id, state: 'HEALTHY', serving: 'r1-aaaaaaa' });
    expect(JSON.parse((await get(`${await deployer.url('test')}/version`)).body).version).toBe('r1-aaaaaaa');
  });

  it('throws a one-line error and starts nothing when the environment port is taken', async () => {
    // Arrange
    const port = await freePort();
    const blocker = createServer().listen(port, '127.0.0.1');
    await new Promise((done) => blocker.once('listening', done));
    const taken = await world(port);
    const deployer = taken.make();
    try {
      // Act
      const attempt = deployer.start({
        pipeline: 'orders-service',
        environment: 'test',
        release: await release(taken.store, 'r1-aaaaaaa', 'healthy'),
        idempotencyKey: key('run-1'),
      });
      // Assert
      await expect(attempt).rejects.toThrow(
        /^cannot listen on 127\.0\.0\.1:\d+ for environment "test": EADDRINUSE[^\n]*$/,
      );
    } finally {
      blocker.close();
      await deployer.close();
      await rm(taken.dir, { recursive: true, force: true });
    }
  });

  it('counts requests, errors and latency through the proxy for the metrics source', async () => {
    // Arrange
    const deployer = track(w.make());
    await deploy(deployer, await release(w.store, 'r1-aaaaaaa', 'healthy'), 'run-1');
    const metrics = new ProxyMetricsSource((env) => deployer.requestLog(env));
    const since = new Date();
    const base = await deployer.url('test');
    // Act
    for (const path of ['/', '/health', '/boom', '/boom']) await get(base + path);
    const window = await metrics.read('test', since, new Date(Date.now() + 1_000));
    // Assert
    expect(window).toMatchObject({ requests: 4, errors: 2 });
    expect(window.p95LatencyMs).toBeGreaterThanOrEqual(0);
  });
});
