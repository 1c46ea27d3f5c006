import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleRoutes, createConsoleRoutes } from '../../../../console/server/index.js';
import { csrfToken } from '../../../../runtime/local-api/auth.js';
import { createLocalPipeline, freePort, type LocalPipeline } from '../../../support/local-pipeline.js';

const ASL = readFileSync(new URL('../../../../statemachines/pipeline.asl.json', import.meta.url), 'utf8');
const SECRET = 'console-routes-secret-0123456789abcdef';
const KNOWN_TOKEN = 'AAAAKgAAAAIAAAAAAAAAAKnowntasktoken0123456789abcdefSecretValue';
const DB_PASSWORD = 's3cr3t-db-password';

let pipeline: LocalPipeline;
let routes: ConsoleRoutes;
let server: Server;
let port: number;
let good: string;
let bad: string;
let goodRelease: string;

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  return { status: res.status, text: await res.text() };
}
const json = async (path: string) => {
  const r = await get(path);
  return { status: r.status, body: JSON.parse(r.text) };
};

/** fetch() will not send a forged Host header; a raw request can, as a DNS-rebinding page would. */
function rawGet(path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

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
    secret: SECRET,
    port,
    onEvent: (listener) => pipeline.engine.onEvent(listener),
    clock: { now: () => new Date(pipeline.clock.now()) },
  });
  server = createServer(async (req, res) => {
    if (!(await routes(req, res))) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const goodArn = await pipeline.start(pipeline.repo.commit('good', { 'NOTES.md': 'good\n' }), 'run-good');
  const goodResult = await pipeline.finish(goodArn);
  goodRelease = goodResult.output.release;
  good = 'run-good';
  await pipeline.finish(
    await pipeline.start(pipeline.repo.commit('break health', { HEALTH_FAIL: 'yes\n' }), 'run-bad'),
  );
  bad = 'run-bad';
  // A run whose input carries a task token and a database password, as a careless event might.
  const { executionArn } = await pipeline.call('StartExecution', {
    stateMachineArn: pipeline.stateMachineArn,
    name: 'run-leaky',
    input: JSON.stringify({
      source: 'tollgate.git',
      'detail-type': 'Commit Pushed',
      detail: {
        commit: 'HEAD',
        taskToken: KNOWN_TOKEN,
        db: `postgres://app:${DB_PASSWORD}@127.0.0.1:5432/x`,
      },
    }),
  });
  await pipeline.finish(executionArn);
}, 180_000);

afterAll(async () => {
  routes?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await pipeline?.close();
});

describe('createConsoleRoutes', () => {
  it('returns runs newest first with commit, author, branch, status and the environment reached', async () => {
    // Arrange / Act
    const { status, body } = await json('/api/runs');
    // Assert
    expect(status).toBe(200);
    expect(body.runs.map((r: { name: string }) => r.name)).toEqual(['run-leaky', 'run-bad', 'run-good']);
    expect(body.runs[1]).toMatchObject({
      status: 'FAILED',
      author: 'Dev',
      branch: 'main',
      message: 'break health',
      reached: { environment: 'test', outcome: 'failed' },
    });
    expect(body.runs[2]).toMatchObject({
      status: 'SUCCEEDED',
      release: goodRelease,
      reached: { environment: 'prod', outcome: 'promoted' },
    });
    expect(body.runs[2].commit).toMatch(/^[0-9a-f]{40}$/);
    expect(body.total).toBe(3);
  });

  it('returns only matching runs when filtered by status, branch or environment reached', async () => {
    // Arrange / Act
    const failed = await json('/api/runs?status=FAILED');
    const prod = await json('/api/runs?environment=prod');
    const other = await json('/api/runs?branch=feature%2Fx');
    // Assert
    expect(failed.body.runs.map((r: { name: string }) => r.name)).toEqual(['run-leaky', 'run-bad']);
    expect(prod.body.runs.map((r: { name: string }) => r.name)).toEqual(['run-good']);
    expect(other.body).toMatchObject({ runs: [], total: 0 });
  });

  it('returns stable cursor pages that walk every run exactly once', async () => {
    // Arrange
    const seen: string[] = [];
    let cursor: string | null = null;
    // Act
    do {
      const page: { body: { runs: Array<{ name: string }>; nextCursor: string | null } } = await json(
        `/api/runs?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.runs.map((r) => r.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    // Assert
    expect(seen).toEqual(['run-leaky', 'run-bad', 'run-good']);
  });

  const badQueries: Array<[string, RegExp]> = [
    ['/api/runs?status=BOGUS', /status must be one of RUNNING, SUCCEEDED/],
    ['/api/runs?environment=moon', /environment must be one of test, staging, prod/],
    ['/api/runs?limit=0', /limit must be an integer from 1 to 200/],
    ['/api/runs?limit=ten', /limit must be a whole number/],
    ['/api/runs?cursor=not-a-cursor', /cursor is not one this console issued/],
    ['/api/runs/bad%20name', /run name must be 1 to 80 characters/],
    ['/api/runs/run-bad/history?limit=5000', /limit must be from 1 to 1000/],
    ['/api/envs/compare?a=test&b=test', /pick two different environments/],
    ['/api/envs/compare?a=test&b=moon', /environment must be one of/],
    ['/api/releases/latest', /release version must look like r42-1a2b3c4/],
  ];
  for (const [path, message] of badQueries) {
    it(`answers 400 with one line when asked ${path}`, async () => {
      // Arrange / Act
      const { status, body } = await json(path);
      // Assert
      expect(status).toBe(400);
      expect(body.message).toMatch(message);
      expect(body.message).not.toContain('\n');
    });
  }

  it('answers 404 for a run or release that does not exist', async () => {
    // Arrange / Act
    const run = await json('/api/runs/run-nobody');
    const release = await json('/api/releases/r99-abcdef0');
    // Assert
    expect(run).toMatchObject({ status: 404, body: { message: 'no run named "run-nobody"' } });
    expect(release).toMatchObject({ status: 404, body: { message: 'no release r99-abcdef0 in the ledger' } });
  });

  it('returns a failed run with the failing stage, its error and cause, and the rollback evidence', async () => {
    // Arrange / Act
    const { body } = await json(`/api/runs/${bad}`);
    // Assert
    expect(body.run).toMatchObject({
      status: 'FAILED',
      redrivable: true,
      failure: { stage: 'deploy', environment: 'test', error: 'Tollgate.DeployFailed' },
    });
    const test = body.timeline.environments.find((e: { name: string }) => e.name === 'test');
    expect(test.status).toBe('failed');
    const deploy = test.stages.find((s: { stage: string }) => s.stage === 'deploy');
    expect(deploy).toMatchObject({ status: 'failed', error: { error: 'Tollgate.DeployFailed' } });
    expect(deploy.error.cause).toMatch(/health check failed/);
    const rollback = test.stages.find((s: { stage: string }) => s.stage === 'rollback');
    expect(rollback.evidence).toContainEqual(
      expect.objectContaining({ kind: 'rollback', failedVersion: expect.stringMatching(/^r2-/) }),
    );
    expect(body.timeline.stateStatus['Environments/EnvironmentFailed']).toBe('failed');
    expect(body.timeline.environments.map((e: { name: string }) => e.name)).toEqual(['test']);
    // The page says which configured environments the run never touched.
    expect(body.environments).toEqual(['test', 'staging', 'prod']);
  });

  it('returns a succeeded run with smoke-test checks as evidence in every environment', async () => {
    // Arrange / Act
    const { body } = await json(`/api/runs/${good}`);
    // Assert
    expect(
      body.timeline.environments.map((e: { name: string; status: string }) => [e.name, e.status]),
    ).toEqual([
      ['test', 'succeeded'],
      ['staging', 'succeeded'],
      ['prod', 'succeeded'],
    ]);
    const smoke = body.timeline.environments[2].stages.find(
      (s: { stage: string }) => s.stage === 'smoke-test',
    );
    expect(smoke.evidence[0]).toMatchObject({ kind: 'smoke-tests', passed: true });
    expect(smoke.evidence[0].checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([
      ['health', true],
      ['version', true],
    ]);
    expect(body.release).toMatchObject({ version: goodRelease, digest: expect.stringMatching(/^sha256:/) });
    // No gate is configured: the approval stage ran only its Choice, which is a skip, not a pass.
    const stages = (env: number) =>
      Object.fromEntries(
        body.timeline.environments[env].stages.map((s: { stage: string; status: string }) => [
          s.stage,
          s.status,
        ]),
      );
    expect(stages(0)).toMatchObject({ approval: 'skipped', deploy: 'succeeded', promote: 'succeeded' });
  });

  it('returns the raw history in pages that join up to the whole history', async () => {
    // Arrange
    // A run's history passes 1,000 events (the API's page limit), so the whole is read page by page.
    const whole: { events: Array<{ id: number }> } = { events: [] };
    let token: string | undefined;
    do {
      const page = await pipeline.call('GetExecutionHistory', {
        executionArn: `${pipeline.stateMachineArn.replace(':stateMachine:', ':execution:')}:${good}`,
        maxResults: 1000,
        ...(token ? { nextToken: token } : {}),
      });
      whole.events.push(...page.events);
      token = page.nextToken;
    } while (token);
    const ids: number[] = [];
    let cursor: string | null = null;
    // Act
    do {
      const page: { body: { events: Array<{ id: number }>; nextCursor: string | null } } = await json(
        `/api/runs/${good}/history?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      ids.push(...page.body.events.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    // Assert
    expect(ids).toEqual(whole.events.map((e: { id: number }) => e.id));
  });

  it('returns the environments board, a comparison and a release page from the ledger', async () => {
    // Arrange / Act
    const board = await json('/api/envs');
    const compare = await json('/api/envs/compare?a=test&b=prod');
    const release = await json(`/api/releases/${goodRelease}`);
    // Assert
    expect(
      board.body.environments.map((e: { environment: string; current: { version: string } }) => [
        e.environment,
        e.current.version,
      ]),
    ).toEqual([
      ['test', goodRelease],
      ['staging', goodRelease],
      ['prod', goodRelease],
    ]);
    const testHistory = board.body.environments[0].history;
    expect(testHistory.map((e: { kind: string }) => e.kind)).toEqual(['promotion', 'rollback']);
    expect(compare.body.differences.map((d: { field: string }) => d.field)).toEqual(['since']);
    expect(release.body.currentlyIn).toEqual(['test', 'staging', 'prod']);
  });

  it('refuses a redrive from another origin, without a CSRF token and by GET, and changes nothing', async () => {
    // Arrange
    const url = `http://127.0.0.1:${port}/api/runs/${bad}/redrive`;
    // Act
    const crossOrigin = await fetch(url, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'x-csrf-token': csrfToken(SECRET) },
    });
    const noToken = await fetch(url, { method: 'POST', headers: { origin: `http://127.0.0.1:${port}` } });
    const byGet = await fetch(url);
    // Assert
    expect(crossOrigin.status).toBe(403);
    expect(((await crossOrigin.json()) as { message: string }).message).toMatch(
      /cross-origin request refused/,
    );
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { message: string }).message).toMatch(/missing or wrong CSRF token/);
    expect(byGet.status).toBe(405);
    expect((await json(`/api/runs/${bad}`)).body.run).toMatchObject({ status: 'FAILED', redriveCount: 0 });
  });

  it('answers 405 naming the methods a path takes, and 400 for a path that is not valid percent-encoding', async () => {
    // Arrange / Act
    const post = await fetch(`http://127.0.0.1:${port}/api/runs`, { method: 'POST' });
    const head = await fetch(`http://127.0.0.1:${port}/console/app.js`, { method: 'HEAD' });
    const page = await fetch(`http://127.0.0.1:${port}/console/`, { method: 'HEAD' });
    const badName = await json('/api/runs/%E0%A4%A/history');
    const badRelease = await json('/api/releases/%zz');
    // Assert
    expect([post.status, head.status, page.status]).toEqual([405, 405, 200]);
    expect(((await post.json()) as { message: string }).message).toBe('POST is not allowed here; use GET');
    expect(badName).toEqual({
      status: 400,
      body: { error: 'BadRequestError', message: 'the path is not valid percent-encoding' },
    });
    expect(badRelease.status).toBe(400);
  });

  it('leaves a path it does not serve to the next handler', async () => {
    // Arrange / Act
    const statuses = await Promise.all(
      ['/api/runs/', '/api/graph/x', '/console/nothing.js', '/API/runs'].map(
        async (p) => (await get(p)).status,
      ),
    );
    // Assert: 404 is this test server's answer when the console returned false
    expect(statuses).toEqual([404, 404, 404, 404]);
  });

  it('refuses any route when the Host header is not the loopback port (DNS rebinding)', async () => {
    // Arrange / Act
    const status = await rawGet('/api/runs', `rebind.evil.example:${port}`);
    // Assert
    expect(status).toBe(403);
  });

  it('never answers with a task token, the local secret or a database password, on any route', async () => {
    // Arrange
    const paths = [
      '/console',
      '/api/runs',
      '/api/runs?status=FAILED',
      '/api/runs/run-leaky',
      '/api/runs/run-leaky/history',
      `/api/runs/${bad}`,
      `/api/runs/${good}/history`,
      '/api/graph',
      '/api/envs',
      '/api/envs/compare?a=test&b=prod',
      `/api/releases/${goodRelease}`,
      '/api/refusals',
    ];
    // Act
    const bodies = await Promise.all(paths.map(async (p) => [p, await get(p)] as const));
    // Assert
    for (const [path, { status, text }] of bodies) {
      expect(status, path).toBe(200);
      expect(text, path).not.toContain(KNOWN_TOKEN);
      expect(text, path).not.toContain(SECRET);
      expect(text, path).not.toContain(DB_PASSWORD);
    }
    const leaky = JSON.parse(bodies.find(([p]) => p === '/api/runs/run-leaky/history')![1].text);
    expect(JSON.stringify(leaky)).toContain('[redacted]');
    expect(JSON.stringify(leaky)).toContain('postgres://app:***@');
  });

  it('redrives a failed run when the console itself asks, with its origin and CSRF token', async () => {
    // Arrange
    const url = `http://127.0.0.1:${port}/api/runs/${bad}/redrive`;
    // Act
    const res = await fetch(url, {
      method: 'POST',
      headers: { origin: `http://127.0.0.1:${port}`, 'x-csrf-token': csrfToken(SECRET) },
    });
    // Assert
    expect(res.status).toBe(200);
    const executionArn = `${pipeline.stateMachineArn.replace(':stateMachine:', ':execution:')}:${bad}`;
    const after = await pipeline.call('DescribeExecution', { executionArn });
    expect(after.redriveCount).toBe(1);
    await pipeline.finish(executionArn);
    const again = await fetch(`http://127.0.0.1:${port}/api/runs/${good}/redrive`, {
      method: 'POST',
      headers: { origin: `http://127.0.0.1:${port}`, 'x-csrf-token': csrfToken(SECRET) },
    });
    expect(again.status).toBe(409);
  });
});
