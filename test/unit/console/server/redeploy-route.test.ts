import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedeployRoute } from '../../../../console/server/redeploy-route.js';
import type { SfnApi } from '../../../../console/server/sfn-api.js';
import { csrfToken } from '../../../../runtime/local-api/auth.js';
import { freePort } from '../../../support/free-port.js';
import { releaseHistory } from '../../functions/register-release/release-history.js';

const SECRET = 's'.repeat(64);
const FIRST = { 'migrations/0001_orders.sql': 'CREATE TABLE orders (id int);\n' };

/** The engine's StartExecution as the route calls it; what it was asked is what is checked. */
function recordingSfn() {
  const started: Array<{ stateMachineArn: string; name: string; input: string }> = [];
  const sfn: SfnApi = {
    async dispatch(operation: string, request: unknown) {
      if (operation !== 'StartExecution') throw new Error(`unexpected ${operation}`);
      started.push(request as (typeof started)[number]);
      return { executionArn: 'arn:x', startDate: 0 };
    },
  } as SfnApi;
  return { sfn, started };
}

let server: Server | undefined;
afterEach(() => server?.close());

async function serve() {
  const h = releaseHistory();
  const r1 = await h.release('ORD-1: first', FIRST);
  await h.promote(r1.version, 'test', r1.executionArn);
  await h.promote(r1.version, 'prod', r1.executionArn);
  const r2 = await h.release('ORD-2: next', { 'README.md': 'next\n' });
  const { sfn, started } = recordingSfn();
  const port = await freePort();
  const route = createRedeployRoute({
    ...h.deps,
    sfn,
    stateMachineArn: () => 'arn:aws:states:local:000000000000:stateMachine:tollgate-orders',
    secret: SECRET,
    port: () => port,
    user: 'ana',
    onInternalError: () => undefined,
  });
  server = createServer(async (req, res) => {
    if (!(await route(req, res))) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
  const post = (version: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${port}/api/releases/${encodeURIComponent(version)}/deploy`, {
      method: 'POST',
      headers: {
        origin: `http://127.0.0.1:${port}`,
        'x-csrf-token': csrfToken(SECRET),
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify(body),
    });
  return { r1, r2, started, post };
}

describe('POST /api/releases/{version}/deploy', () => {
  it('starts a redeploy run of the release into the environment, as the runtime user', async () => {
    // Arrange
    const { r1, started, post } = await serve();
    // Act
    const res = await post(r1.version, { environment: 'prod', reason: 'r2 is slow' });
    // Assert
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ release: r1.version, environment: 'prod', notPassed: [] });
    expect(started).toHaveLength(1);
    expect(JSON.parse(started[0]!.input)).toMatchObject({
      source: 'tollgate.cli',
      'detail-type': 'Redeploy Requested',
      detail: {
        commit: r1.commit,
        redeploy: {
          release: r1.version,
          environment: 'prod',
          reason: 'r2 is slow',
          skipEarlier: false,
          requestedBy: 'ana',
        },
      },
    });
  });

  it('answers 409 with the one-line reason and starts nothing for a release that never passed test', async () => {
    const { r2, started, post } = await serve();
    const res = await post(r2.version, { environment: 'prod' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { message: string }).message).toMatch(
      /never passed test \(before prod\); add --skip-earlier/,
    );
    expect(started).toHaveLength(0);
  });

  it('refuses another origin and a missing CSRF token with 403, starting nothing', async () => {
    const { r1, started, post } = await serve();
    const foreign = await post(r1.version, { environment: 'prod' }, { origin: 'http://evil.example' });
    const noToken = await post(r1.version, { environment: 'prod' }, { 'x-csrf-token': '' });
    expect([foreign.status, noToken.status]).toEqual([403, 403]);
    expect(started).toHaveLength(0);
  });

  it.each([
    [{}, /environment must be/],
    [{ environment: 'prod', skipEarlier: 'yes' }, /skipEarlier must be true or false/],
    [{ environment: 'prod', reason: 7 }, /reason must be text/],
  ])('answers 400 for the body %j, starting nothing', async (body, message) => {
    const { r1, started, post } = await serve();
    const res = await post(r1.version, body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
    expect(started).toHaveLength(0);
  });
});

describe('POST /api/runs/{name}/retry', () => {
  it.each([
    ['run-1', { reason: 7 }, /reason must be text/],
    ['run%201', {}, /run name must be 1 to 80 letters, digits, - or _/],
    ['run-1', 'not an object', /JSON object/],
  ])('answers 400 for run %s with the body %j, asking Step Functions nothing', async (run, body, message) => {
    // Arrange
    const { started } = await serve();
    const port = (server!.address() as { port: number }).port;
    // Act
    const res = await fetch(`http://127.0.0.1:${port}/api/runs/${run}/retry`, {
      method: 'POST',
      headers: {
        origin: `http://127.0.0.1:${port}`,
        'x-csrf-token': csrfToken(SECRET),
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    // Assert
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
    expect(started).toHaveLength(0);
  });

  it('refuses another origin with 403, asking Step Functions nothing', async () => {
    const { started } = await serve();
    const port = (server!.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/api/runs/run-1/retry`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'x-csrf-token': csrfToken(SECRET) },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(started).toHaveLength(0);
  });
});
