import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGroupAlive } from '../../../../../../functions/shared/adapters/local/app-process.js';
import type { ProcessDeployer } from '../../../../../../functions/shared/adapters/local/process-deployer.js';
import { ProcessTrafficRouter } from '../../../../../../functions/shared/adapters/local/process-traffic-router.js';
import { ProxyMetricsSource } from '../../../../../../functions/shared/adapters/local/proxy-metrics-source.js';
import { deployAndSettle, type TrafficRouterHarness } from '../../ports/traffic-router.contract.js';
import { canaryWorld } from './canary-world.js';

// vitest: own process. A deployer started again on the same data dir takes over the same proxy
// port; in a worker thread shared with other files the port was still taken (EADDRINUSE).

const target = { pipeline: 'orders-service', environment: 'prod' };

describe('ProcessDeployer canary mode', () => {
  let w: Awaited<ReturnType<typeof canaryWorld>>;
  const open: ProcessDeployer[] = [];
  const harness = (deployer: ProcessDeployer, w2 = w) =>
    ({
      deployer,
      router: new ProcessTrafficRouter(deployer),
      ...target,
      advance: () => new Promise<void>((d) => setTimeout(d, 50)),
    }) as unknown as TrafficRouterHarness & { w: typeof w2 };
  const track = (d: ProcessDeployer) => {
    open.push(d);
    return d;
  };
  const state = async () => JSON.parse(await readFile(w.statePath, 'utf8'));
  /** Sends `n` requests one after another and counts the answers by the version that served them. */
  const served = async (deployer: ProcessDeployer, n: number, cookie?: string) => {
    const url = await deployer.url('prod');
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i += 1) {
      const res = await fetch(`${url}/orders/1`, { headers: cookie ? { cookie } : {} });
      const body = await res.text();
      counts[body] = (counts[body] ?? 0) + 1;
    }
    return counts;
  };
  const withCanary = async (deployer: ProcessDeployer) => {
    const h = harness(deployer);
    await deployAndSettle(h, await w.release('r1-aaaaaaa'), 'run-1', 'replace');
    await deployAndSettle(h, await w.release('r2-bbbbbbb'), 'run-2', 'canary');
    return new ProcessTrafficRouter(deployer);
  };

  beforeEach(async () => {
    w = await canaryWorld();
  });
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close();
    await w.cleanup();
  });

  it('sends nothing to a canary at 0% and exactly its share of requests once shifted', async () => {
    // Arrange
    const deployer = track(w.make());
    const router = await withCanary(deployer);
    const atZero = await served(deployer, 20);
    // Act
    await router.shift({ ...target, canaryVersion: 'r2-bbbbbbb', percent: 10 });
    const atTen = await served(deployer, 100);
    // Assert
    expect(atZero).toEqual({ 'r1-aaaaaaa': 20 });
    expect(atTen).toEqual({ 'r1-aaaaaaa': 90, 'r2-bbbbbbb': 10 });
  });

  it('records which release served each request, so each release has its own window', async () => {
    // Arrange
    const deployer = track(w.make());
    const router = await withCanary(deployer);
    await router.shift({ ...target, canaryVersion: 'r2-bbbbbbb', percent: 50 });
    const since = new Date();
    // Act
    await served(deployer, 40);
    const until = new Date(Date.now() + 1);
    const metrics = new ProxyMetricsSource((env) => deployer.requestLog(env));
    const canary = await metrics.read('prod', since, until, 'r2-bbbbbbb');
    const baseline = await metrics.read('prod', since, until, 'r1-aaaaaaa');
    // Assert
    expect(canary.requests).toBe(20);
    expect(baseline.requests).toBe(20);
    expect(canary.p99LatencyMs).toBeGreaterThanOrEqual(canary.p50LatencyMs ?? Number.NaN);
  });

  it('stops the canary process on abort and the baseline process on complete', async () => {
    // Arrange
    const deployer = track(w.make());
    const router = await withCanary(deployer);
    const first = await state();
    // Act
    await router.abort({ ...target, canaryVersion: 'r2-bbbbbbb', reason: 'error-rate 0.3 > 0.05 at step 1' });
    await deployAndSettle(harness(deployer), await w.release('r3-ccccccc'), 'run-3', 'canary');
    const second = await state();
    await router.complete({ ...target, canaryVersion: 'r3-ccccccc' });
    // Assert
    expect(isGroupAlive(first.canary.pid)).toBe(false);
    const log = await readFile(`${w.dir}/.tollgate/envs/prod/logs/r2-bbbbbbb.log`, 'utf8');
    expect(log).toContain('canary aborted at');
    expect(log).toContain('error-rate 0.3 > 0.05 at step 1');
    expect(isGroupAlive(second.active.pid)).toBe(false);
    expect(isGroupAlive(second.canary.pid)).toBe(true);
    expect(await served(deployer, 5)).toEqual({ 'r3-ccccccc': 5 });
    expect(await deployer.previous('orders-service', 'prod')).toMatchObject({ version: 'r1-aaaaaaa' });
    expect((await state()).canary).toBeNull();
  });

  it('restores the same split when a new deployer starts on the same data dir mid-canary (apps kept)', async () => {
    // Arrange
    const before = w.make();
    const router = await withCanary(before);
    await router.shift({ ...target, canaryVersion: 'r2-bbbbbbb', percent: 25 });
    const pids = await state();
    await before.close({ keepApps: true });
    // Act
    const after = track(w.make());
    const [report] = await after.resume();
    // Assert
    expect(report).toMatchObject({
      action: 'adopted',
      version: 'r1-aaaaaaa',
      canary: { version: 'r2-bbbbbbb', percent: 25, action: 'adopted' },
    });
    expect(await after.split('orders-service', 'prod')).toEqual({
      baseline: 'r1-aaaaaaa',
      canary: 'r2-bbbbbbb',
      canaryPercent: 25,
    });
    expect(await served(after, 100)).toEqual({ 'r1-aaaaaaa': 75, 'r2-bbbbbbb': 25 });
    expect((await state()).canary.pid).toBe(pids.canary.pid);
  });

  it('restarts baseline and canary with the same split when the runtime died and took the apps with it', async () => {
    // Arrange
    const before = w.make();
    const router = await withCanary(before);
    await router.shift({ ...target, canaryVersion: 'r2-bbbbbbb', percent: 50 });
    await before.close(); // stops every app, as a machine restart would
    // Act
    const after = track(w.make());
    const [report] = await after.resume();
    // Assert
    expect(report).toMatchObject({
      action: 'restarted',
      canary: { version: 'r2-bbbbbbb', percent: 50, action: 'restarted' },
    });
    expect(await served(after, 10)).toEqual({ 'r1-aaaaaaa': 5, 'r2-bbbbbbb': 5 });
    expect(await after.current('orders-service', 'prod')).toBe('r1-aaaaaaa');
  });

  it('drops a canary that cannot start again after a restart, and the baseline takes every request', async () => {
    // Arrange
    const before = w.make();
    const router = await withCanary(before);
    await router.shift({ ...target, canaryVersion: 'r2-bbbbbbb', percent: 50 });
    await before.close();
    await rm(join(w.dir, '.tollgate/envs/prod/releases/r2-bbbbbbb/server.mjs'));
    // Act
    const after = track(w.make());
    const [report] = await after.resume();
    // Assert
    expect(report).toMatchObject({
      action: 'restarted',
      canary: { version: 'r2-bbbbbbb', percent: 0, action: 'failed' },
    });
    expect(report?.canary?.reason).toMatch(/^r2-bbbbbbb in prod: /);
    expect(await served(after, 6)).toEqual({ 'r1-aaaaaaa': 6 });
    expect((await state()).canary).toBeNull();
  });

  it('supersedes a running canary when another release is deployed in canary mode', async () => {
    // Arrange
    const deployer = track(w.make());
    await withCanary(deployer);
    const old = (await state()).canary.pid;
    // Act
    const status = await deployAndSettle(harness(deployer), await w.release('r3-ccccccc'), 'run-3', 'canary');
    // Assert
    expect(status.state).toBe('HEALTHY');
    expect(isGroupAlive(old)).toBe(false);
    expect(await deployer.split('orders-service', 'prod')).toEqual({
      baseline: 'r1-aaaaaaa',
      canary: 'r3-ccccccc',
      canaryPercent: 0,
    });
  });
});

describe('ProcessDeployer canary mode, sticky', () => {
  let w: Awaited<ReturnType<typeof canaryWorld>>;
  let deployer: ProcessDeployer;
  beforeEach(async () => {
    w = await canaryWorld({ sticky: true });
    deployer = w.make();
  });
  afterEach(async () => {
    await deployer.close();
    await w.cleanup();
  });

  it('pins a client to the release named by its tollgate-release cookie and sets the cookie on new clients', async () => {
    // Arrange
    const h = {
      deployer,
      ...target,
      advance: () => new Promise<void>((d) => setTimeout(d, 50)),
    } as unknown as TrafficRouterHarness;
    await deployAndSettle(h, await w.release('r1-aaaaaaa'), 'run-1', 'replace');
    await deployAndSettle(h, await w.release('r2-bbbbbbb'), 'run-2', 'canary');
    await new ProcessTrafficRouter(deployer).shift({ ...target, canaryVersion: 'r2-bbbbbbb', percent: 10 });
    const url = await deployer.url('prod');
    // Act
    const fresh = await Promise.all(Array.from({ length: 10 }, () => fetch(`${url}/orders/1`)));
    const pins = fresh.map((r) => r.headers.getSetCookie());
    const pinned = [];
    for (let i = 0; i < 10; i += 1) {
      const res = await fetch(`${url}/orders/1`, { headers: { cookie: 'a=b; tollgate-release=r2-bbbbbbb' } });
      pinned.push(await res.text());
    }
    // Assert
    const values = pins.map((cookies) => cookies.find((c) => c.startsWith('tollgate-release=')));
    expect(values.filter((v) => v?.startsWith('tollgate-release=r2-bbbbbbb;'))).toHaveLength(1);
    expect(values.filter((v) => v?.startsWith('tollgate-release=r1-aaaaaaa;'))).toHaveLength(9);
    expect(pins.every((cookies) => cookies.includes('app-session=1; Path=/'))).toBe(true);
    expect(pinned).toEqual(Array(10).fill('r2-bbbbbbb'));
  });
});
