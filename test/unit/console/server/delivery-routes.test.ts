import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleRoutes, createConsoleRoutes } from '../../../../console/server/index.js';
import { createLocalPipeline, freePort, type LocalPipeline } from '../../../support/local-pipeline.js';

const ASL = readFileSync(new URL('../../../../statemachines/pipeline.asl.json', import.meta.url), 'utf8');

let pipeline: LocalPipeline;
let routes: ConsoleRoutes;
let server: Server;
let port: number;
let goodCommit: string;
let goodRelease: string;
let boardWhileRunning: { lanes: Array<{ incoming: unknown[] }> };

const json = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: JSON.parse(await res.text()) };
};

beforeAll(async () => {
  pipeline = await createLocalPipeline();
  port = await freePort();
  routes = createConsoleRoutes({
    sfn: pipeline.engine.service,
    ledger: pipeline.runner.ports.ledger,
    approvals: pipeline.runner.ports.approvals,
    aslText: ASL,
    stateMachineArn: pipeline.stateMachineArn,
    config: pipeline.config,
    secret: 'delivery-routes-secret-0123456789abcdef',
    port,
    onEvent: (listener) => pipeline.engine.onEvent(listener),
    clock: { now: () => new Date(pipeline.clock.now()) },
  });
  server = createServer(async (req, res) => {
    if (!(await routes(req, res))) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  goodCommit = pipeline.repo.commit('OPS-42 add the orders report', { 'NOTES.md': 'good\n' });
  const goodArn = await pipeline.start(goodCommit, 'run-good');
  // The board while the run is still building: on its way to the first environment.
  boardWhileRunning = (await json('/api/board')).body;
  goodRelease = (await pipeline.finish(goodArn)).output.release;
  await pipeline.finish(
    await pipeline.start(pipeline.repo.commit('break health', { HEALTH_FAIL: 'yes\n' }), 'run-bad'),
  );
}, 180_000);

afterAll(async () => {
  routes?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await pipeline?.close();
});

describe('the delivery board, stats and search routes', () => {
  it('returns one lane per environment in promotion order with its release, health and the runs on their way', async () => {
    // Arrange
    const environments = pipeline.config.environments.map((e) => e.name);
    // Act
    const { status, body } = await json('/api/board');
    // Assert
    expect(status).toBe(200);
    expect(body.lanes.map((l: { environment: string }) => l.environment)).toEqual(environments);
    const prod = body.lanes.at(-1);
    expect(prod).toMatchObject({
      health: 'healthy',
      current: { version: goodRelease, run: 'run-good', runNumber: 1, via: 'promotion' },
    });
    expect(prod.current.release).toMatchObject({
      commit: goodCommit,
      message: 'OPS-42 add the orders report',
    });
    // run-bad failed its smoke test in the first environment, which was put back on the good release.
    expect(body.lanes[0]).toMatchObject({
      health: 'rolled-back',
      current: { version: goodRelease },
      lastFailure: { run: 'run-bad' },
    });
    expect(body.lanes.flatMap((l: { incoming: unknown[] }) => l.incoming)).toEqual([]);
    expect(boardWhileRunning.lanes[0]!.incoming).toMatchObject([
      { name: 'run-good', number: 1, commit: goodCommit, state: 'running' },
    ]);
  });

  it('returns DORA measures from the ledger and stage durations of the finished runs', async () => {
    // Act
    const { status, body } = await json('/api/stats?days=30&runs=10');
    // Assert
    expect(status).toBe(200);
    const byEnv = Object.fromEntries(
      body.dora.environments.map((e: { environment: string }) => [e.environment, e]),
    );
    const first = pipeline.config.environments[0]!.name;
    expect(byEnv.prod).toMatchObject({ deployments: 1, failedDeployments: 0, changeFailureRate: 0 });
    expect(byEnv.prod.leadTime.samples).toBe(1);
    expect(byEnv[first]).toMatchObject({ deployments: 1, failedDeployments: 1, changeFailureRate: 0.5 });
    expect(body.stages.runs.map((r: { name: string; number: number }) => [r.number, r.name])).toEqual([
      [1, 'run-good'],
      [2, 'run-bad'],
    ]);
    expect(body.stages.runs[0].durations.deploy).toBeGreaterThan(0);
    // The smoke tests ran (in no time on the fake clock); this pipeline has no database to refresh.
    expect(body.stages.runs[0].durations.tests).toEqual(expect.any(Number));
    expect(body.stages.runs[0].durations.refresh).toBeNull();
  });

  it('finds a run by its number, and runs by commit prefix, author, message, ticket and date', async () => {
    // Arrange
    const names = async (query: string) =>
      (await json(`/api/runs?${query}`)).body.runs.map((r: { name: string }) => r.name);
    // Act / Assert
    await expect(json('/api/run-numbers/2')).resolves.toMatchObject({
      status: 200,
      body: { name: 'run-bad', number: 2 },
    });
    expect((await json('/api/run-numbers/3')).status).toBe(404);
    expect(await names(`commit=${goodCommit.slice(0, 6)}`)).toEqual(['run-good']);
    expect(await names('text=BREAK')).toEqual(['run-bad']);
    expect(await names('author=dev')).toEqual(['run-bad', 'run-good']);
    expect(await names('ticket=OPS-42')).toEqual(['run-good']);
    expect(await names('ticket=OPS-4')).toEqual([]);
    expect(await names('from=2999-01-01')).toEqual([]);
    const today = new Date(pipeline.clock.now()).toISOString().slice(0, 10);
    expect(await names(`from=${today}&to=${today}&status=FAILED`)).toEqual(['run-bad']);
  });

  for (const [path, message] of [
    ['/api/runs?commit=xyz', /^commit must be a hex commit hash/],
    ['/api/runs?ticket=not a ticket', /^ticket must look like ABC-123/],
    ['/api/runs?from=yesterday', /^from must be a date/],
    ['/api/runs?from=2026-02-02&to=2026-02-01', /^from \(2026-02-02\) is after to/],
    ['/api/stats?days=0', /^days must be a whole number from 1 to 3660/],
    ['/api/stats?runs=many', /^runs must be a whole number/],
    ['/api/run-numbers/x1', /^run number must be a whole number/],
  ] as const) {
    it(`answers 400 with one line when asked ${path}`, async () => {
      // Act
      const { status, body } = await json(path);
      // Assert
      expect(status).toBe(400);
      expect(body.message ?? body.reason).toMatch(message);
      expect(String(body.message ?? body.reason)).not.toContain('\n');
    });
  }
});
