import { createServer, request, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiffRoute } from '../../../../console/server/diff-route.js';
import type { ReleaseDiff } from '../../../../console/server/diff-view.js';
import { freePort } from '../../../support/free-port.js';
import { releaseHistory } from '../../functions/register-release/release-history.js';

const FIRST = { 'migrations/0001_orders.sql': 'CREATE TABLE orders (id int);\n' };
const SECOND = { 'migrations/0002_refunds.sql': 'ALTER TABLE orders ADD COLUMN refunded boolean;\n' };

let server: Server | undefined;
afterEach(() => server?.close());

async function serve() {
  const h = releaseHistory();
  const r1 = await h.release('ORD-1: first', FIRST);
  await h.promote(r1.version, 'prod', r1.executionArn);
  const r2 = await h.release('ORD-2: refunds', SECOND);
  await h.promote(r2.version, 'test', r2.executionArn);
  const port = await freePort();
  const route = createDiffRoute({ ...h.deps, port: () => port, onInternalError: () => undefined });
  server = createServer(async (req, res) => {
    if (!(await route(req, res))) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
  const get = (query: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${port}/api/diff${query}`, init);
  /** fetch will not send another Host; the DNS-rebinding check needs a raw request. */
  const rawGet = (path: string, host: string) =>
    new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
  return { r1, r2, get, rawGet };
}

describe('createDiffRoute', () => {
  it('answers GET /api/diff?a=prod&b=test with the release diff', async () => {
    // Arrange
    const { r1, r2, get } = await serve();

    // Act
    const res = await get('?a=prod&b=test');

    // Assert
    expect(res.status).toBe(200);
    const body = (await res.json()) as ReleaseDiff;
    expect(body.a).toMatchObject({ environment: 'prod', version: r1.version });
    expect(body.b).toMatchObject({ environment: 'test', version: r2.version });
    expect(body.migrations).toMatchObject({
      added: [{ name: '0002_refunds', sql: SECOND['migrations/0002_refunds.sql'] }],
    });
    expect(body.commits.listed && body.commits.added.map((c) => c.subject)).toEqual(['ORD-2: refunds']);
  });

  it.each([
    [
      'an unknown environment',
      '?a=qa&b=prod',
      400,
      '"qa" is neither an environment (test, prod) nor a release version like r42-1a2b3c4',
    ],
    [
      'the same side twice',
      '?a=prod&b=prod',
      400,
      'compare two different releases or environments, got "prod" twice',
    ],
    ['a missing side', '?a=prod', 400, 'name two releases or environments to compare, e.g. staging prod'],
    [
      'an unknown release',
      '?a=r77-abcdef0&b=prod',
      404,
      'unknown release "r77-abcdef0"; list the releases with `npx tollgate releases`',
    ],
  ])('refuses %s with its status and one line', async (_kind, query, status, message) => {
    // Arrange
    const { get } = await serve();

    // Act
    const res = await get(query);

    // Assert
    expect(res.status).toBe(status);
    expect(((await res.json()) as { message: string }).message).toBe(message);
  });

  it('refuses a foreign Host and a POST', async () => {
    // Arrange
    const { get, rawGet } = await serve();

    // Act
    const foreign = await rawGet('/api/diff?a=prod&b=test', 'rebind.evil.example');
    const posted = await get('?a=prod&b=test', { method: 'POST' });

    // Assert
    expect(foreign).toBe(403);
    expect(posted.status).toBe(405);
  });
});
