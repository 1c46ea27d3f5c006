import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import exampleConfig from '../../examples/orders-service/tollgate.config.js';
import { createHandler as deployHandler } from '../../functions/deploy/handler.js';
import { createHandler as pollHandler } from '../../functions/poll-deployment/handler.js';
import { createHandler as promoteHandler } from '../../functions/promote/handler.js';
import {
  type RollbackTaskInput,
  createHandler as rollbackHandler,
} from '../../functions/rollback/handler.js';
import { DirArtifactStore } from '../../functions/shared/adapters/local/dir-artifact-store.js';
import { DirLedger } from '../../functions/shared/adapters/local/dir-ledger.js';
import { OciImageRegistry } from '../../functions/shared/adapters/local/oci-image-registry.js';
import { ProcessDeployer } from '../../functions/shared/adapters/local/process-deployer.js';
import { systemClock } from '../../functions/shared/clock.js';
import { parseConfig } from '../../functions/shared/config/index.js';
import type { DeploymentStatus } from '../../functions/shared/ports/deployer.js';
import type { TollgatePorts } from '../../functions/shared/ports/tollgate-ports.js';
import type { ReleaseRef } from '../../functions/shared/release.js';
import { createHandler as smokeHandler } from '../../functions/smoke-test/handler.js';

const run = promisify(execFile);
const EXAMPLE = resolve(import.meta.dirname, '../../examples/orders-service');
const PIPELINE = 'orders-service';
const realPause = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** A commit of the example: a copy of its tree, changed by `edit`, built by its own build script. */
async function buildCommit(
  work: string,
  name: string,
  edit?: (dir: string) => Promise<void>,
): Promise<string> {
  const dir = join(work, `src-${name}`);
  await cp(EXAMPLE, dir, { recursive: true, filter: (path) => !/\/(dist|node_modules)(\/|$)/.test(path) });
  if (edit) await edit(dir);
  const out = join(work, `${name}.tgz`);
  await run(process.execPath, ['scripts/build.mjs', '--out', out], { cwd: dir });
  return out;
}

describe('deploy, smoke-test, promote and rollback on the orders-service example (real processes and ports)', () => {
  let work: string;
  let deployer: ProcessDeployer;
  let ports: TollgatePorts;
  let releases: Record<'good' | 'unhealthy' | 'brokenVersion', ReleaseRef>;
  let base: string;
  const task = (
    stateName: string,
    executionArn = 'arn:aws:states:local:000000000000:execution:tollgate:run',
  ) => ({
    executionArn,
    stateName,
    pipeline: PIPELINE,
    environment: 'test',
  });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'tollgate-e2e-'));
    const artifacts = new DirArtifactStore(join(work, '.tollgate/artifacts'));
    const tarballs = {
      good: await buildCommit(work, 'good'),
      unhealthy: await buildCommit(work, 'unhealthy', (dir) =>
        writeFile(join(dir, 'HEALTH_FAIL'), 'broken on purpose\n'),
      ),
      brokenVersion: await buildCommit(work, 'broken-version', async (dir) => {
        const server = join(dir, 'src/server.mjs');
        const source = await readFile(server, 'utf8');
        // The /version route's only 200 answer carries the release; a 500 there is the regression.
        const broken = source.replace(
          'return send(res, 200, release);',
          "return send(res, 500, { error: 'regressed' });",
        );
        if (broken === source) throw new Error('the /version route changed; update this test edit');
        await writeFile(server, broken);
      }),
    };
    const ingest = async (file: string, version: string): Promise<ReleaseRef> => {
      const { key, digest } = await artifacts.ingest(createReadStream(file));
      return { version, digest, artifactKey: key, commit: version.slice(-7).padEnd(40, '0') };
    };
    releases = {
      good: await ingest(tarballs.good, 'r1-1111111'),
      unhealthy: await ingest(tarballs.unhealthy, 'r2-2222222'),
      brokenVersion: await ingest(tarballs.brokenVersion, 'r3-3333333'),
    };
    const environments = await Promise.all(
      exampleConfig.environments.map(async (env) => ({
        ...env,
        deploy: env.deploy.type === 'process' ? { ...env.deploy, port: await freePort() } : env.deploy,
      })),
    );
    const config = parseConfig({ ...exampleConfig, environments });
    deployer = new ProcessDeployer({
      config,
      dataDir: join(work, '.tollgate'),
      artifacts,
      healthIntervalMs: 100,
      unhealthyThreshold: 3,
      stopGraceMs: 2_000,
    });
    ports = {
      config,
      clock: systemClock,
      artifacts,
      images: new OciImageRegistry(join(work, '.tollgate/oci')),
      deployer,
      ledger: new DirLedger(join(work, '.tollgate/ledger')),
    } as unknown as TollgatePorts;
    base = `http://127.0.0.1:${environments[0].deploy.type === 'process' ? environments[0].deploy.port : 0}`;
  });

  afterAll(async () => {
    await deployer?.close();
    await rm(work, { recursive: true, force: true });
  });

  const factory = async () => ports;
  const deploy = deployHandler(factory);
  const poll = pollHandler(factory);
  const smoke = smokeHandler(factory, async () => {});
  const promote = promoteHandler(factory);
  const rollbackTask = rollbackHandler(factory);
  const version = async () =>
    (await (await fetch(`${base}/version`)).json()) as { version: string; digest: string };

  /** As the state machine runs it: start, then Wait → poll-deployment until settled, then finish. */
  async function rollback(event: Omit<RollbackTaskInput, 'step'>) {
    const started = (await rollbackTask({ ...event, step: 'start' })) as { deploymentId?: string };
    let rollout: DeploymentStatus | null = null;
    for (let attempt = 0; started.deploymentId && attempt < 300; attempt += 1) {
      rollout = await poll({
        ...task('PollRollback', event.executionArn),
        deploymentId: started.deploymentId,
      });
      if (rollout.state !== 'IN_PROGRESS') break;
      await realPause(100);
    }
    return rollbackTask({ ...event, stateName: 'FinishRollback', step: 'finish', started, rollout });
  }

  async function rollout(release: ReleaseRef, run: string): Promise<DeploymentStatus> {
    const arn = `arn:aws:states:local:000000000000:execution:tollgate:${run}`;
    const { deploymentId } = await deploy({ ...task('Deploy', arn), release });
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const status = await poll({ ...task('PollDeployment', arn), deploymentId });
      if (status.state !== 'IN_PROGRESS') return status;
      await realPause(100);
    }
    throw new Error(`${release.version} did not settle`);
  }

  it('builds the same digest twice from the same commit', async () => {
    // Arrange
    const again = await buildCommit(work, 'good-again');
    // Act
    const { digest } = await new DirArtifactStore(join(work, 'again')).ingest(createReadStream(again));
    // Assert
    expect(digest).toBe(releases.good.digest);
  });

  it('reports the promoted release digest on /version after deploy, smoke tests and promote', async () => {
    // Arrange
    const status = await rollout(releases.good, 'run-1');
    expect(status).toMatchObject({ state: 'HEALTHY', serving: 'r1-1111111' });
    // Act
    const evidence = await smoke({
      ...task('SmokeTest', 'arn:aws:states:local:000000000000:execution:tollgate:run-1'),
    });
    const promoted = await promote({
      ...task('Promote', 'arn:aws:states:local:000000000000:execution:tollgate:run-1'),
      release: releases.good,
      evidence: { smokeTests: evidence },
    });
    // Assert
    expect(evidence.passed).toBe(true);
    expect(evidence.checks.map((c) => [c.name, c.status, c.ok])).toEqual([
      ['health', 200, true],
      ['version', 200, true],
    ]);
    expect(promoted).toMatchObject({ environment: 'test', version: 'r1-1111111', previous: null });
    expect(await version()).toEqual({
      version: 'r1-1111111',
      commit: releases.good.commit,
      digest: releases.good.digest,
    });
  });

  it('leaves the promoted release serving when the next release fails its health check and is rolled back', async () => {
    // Arrange
    const status = await rollout(releases.unhealthy, 'run-2');
    expect(status.state).toBe('FAILED');
    expect(status.reason).toMatch(/health check failed: GET \/health answered 503/);
    expect(status.reason).toMatch(/last log lines: .*orders-service r2-2222222 listening/);
    expect(status.serving).toBe('r1-1111111');
    // Act
    const out = await rollback({
      ...task('Rollback', 'arn:aws:states:local:000000000000:execution:tollgate:run-2'),
      release: releases.unhealthy,
      reason: { stage: 'deploy', error: 'Tollgate.DeployFailed', cause: status.reason },
    });
    // Assert
    expect(out).toMatchObject({
      action: 'already-serving',
      failedVersion: 'r2-2222222',
      restoredVersion: 'r1-1111111',
    });
    expect((await version()).digest).toBe(releases.good.digest);
  });

  it('puts the previous release back on the environment port when a healthy release fails its smoke tests', async () => {
    // Arrange
    const arn = 'arn:aws:states:local:000000000000:execution:tollgate:run-3';
    expect(await rollout(releases.brokenVersion, 'run-3')).toMatchObject({
      state: 'HEALTHY',
      serving: 'r3-3333333',
    });
    const failure = await smoke(task('SmokeTest', arn)).catch((error: Error) => error);
    expect(failure).toMatchObject({ name: 'Tollgate.SmokeTestFailed' });
    expect((failure as Error).message).toMatch(
      /^1 of 2 smoke test\(s\) failed in test: version \(GET .*\/version: expected status 200, got 500/,
    );
    // Act
    const out = await rollback({
      ...task('Rollback', arn),
      release: releases.brokenVersion,
      reason: { stage: 'smoke-test', error: 'Tollgate.SmokeTestFailed', cause: (failure as Error).message },
    });
    // Assert
    expect(out).toMatchObject({
      action: 'redeployed',
      state: 'HEALTHY',
      failedVersion: 'r3-3333333',
      restoredVersion: 'r1-1111111',
    });
    expect(await version()).toEqual({
      version: 'r1-1111111',
      commit: releases.good.commit,
      digest: releases.good.digest,
    });
    const entries = await ports.ledger.query({ pipeline: PIPELINE, kinds: ['promotion', 'rollback'] });
    expect(entries.map((e) => [e.kind, e.releaseVersion, e.data.restoredVersion ?? null])).toEqual([
      ['promotion', 'r1-1111111', null],
      ['rollback', 'r2-2222222', 'r1-1111111'],
      ['rollback', 'r3-3333333', 'r1-1111111'],
    ]);
    expect(entries[2].data.reason).toMatchObject({ stage: 'smoke-test', error: 'Tollgate.SmokeTestFailed' });
    expect(await ports.artifacts.getPointer('envs/orders-service/test.json')).toMatchObject({
      version: 'r1-1111111',
    });
  });
});
