import { createHash } from 'node:crypto';
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvProxy } from '../../../../../../functions/shared/adapters/local/env-proxy.js';
import { CLIENT_CLOSED_REQUEST } from '../../../../../../functions/shared/adapters/local/proxy-exchange.js';
import { ManualClock } from '../../../../../../functions/shared/clock.js';

const ALL_TIME: [Date, Date] = [new Date(0), new Date(Date.UTC(2100, 0))];

/** An app whose handler the test writes; `served` holds what each request carried. */
async function scriptedApp(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer(handle);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: (server.address() as AddressInfo).port };
}

/** One request with raw headers and an optional streamed body; resolves with the whole answer. */
function send(
  port: number,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer[]; agent?: Agent },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer; reused: boolean }> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/x',
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () =>
          done({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            reused: req.reusedSocket,
          }),
        );
        res.once('error', fail);
      },
    );
    req.once('error', fail);
    for (const chunk of options.body ?? []) req.write(chunk);
    req.end();
  });
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function app(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    res.setHeader('x-app', name);
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => res.end(`${name} got ${body}`));
      return;
    }
    res.end(`${name} ${req.url}`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('EnvProxy', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  const proxy = async () => {
    const p = new EnvProxy({ environment: 'test', port: 0, clock: new ManualClock() });
    await p.listen();
    cleanups.push(() => p.close());
    return p;
  };
  const started = async (name: string) => {
    const a = await app(name);
    cleanups.push(() => new Promise((done) => a.server.close(() => done())));
    return a;
  };

  it('answers 503 with a JSON error when no release runs in the environment', async () => {
    // Arrange
    const p = await proxy();
    // Act
    const res = await fetch(`http://127.0.0.1:${p.port}/health`);
    // Assert
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'no release is running in environment "test"' });
  });

  it('forwards method, path, body and response headers to the active app and switches on setTarget', async () => {
    // Arrange
    const p = await proxy();
    const blue = await started('blue');
    const green = await started('green');
    p.setTarget(blue.port);
    const before = await fetch(`http://127.0.0.1:${p.port}/orders?x=1`);
    // Act
    p.setTarget(green.port);
    const after = await fetch(`http://127.0.0.1:${p.port}/orders`, { method: 'POST', body: 'hello' });
    // Assert
    expect(await before.text()).toBe('blue /orders?x=1');
    expect(after.headers.get('x-app')).toBe('green');
    expect(await after.text()).toBe('green got hello');
  });

  it('answers 502 and counts an error when the active app does not accept connections', async () => {
    // Arrange
    const p = await proxy();
    const gone = await app('gone');
    await new Promise((done) => gone.server.close(done));
    p.setTarget(gone.port);
    // Act
    const res = await fetch(`http://127.0.0.1:${p.port}/`);
    // Assert
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /^app in environment "test" did not answer: ECONNREFUSED$/,
    );
    expect(p.log.window(new Date(0), new Date(Date.UTC(2100, 0)))).toMatchObject({ requests: 1, errors: 1 });
  });

  it('throws a one-line error naming the port when it cannot listen', async () => {
    // Arrange
    const taken = await proxy();
    const second = new EnvProxy({ environment: 'test', port: taken.port, clock: new ManualClock() });
    // Act
    const attempt = second.listen();
    // Assert
    await expect(attempt).rejects.toThrow(
      `cannot listen on 127.0.0.1:${taken.port} for environment "test": EADDRINUSE (is another process using it? change deploy.port)`,
    );
  });

  it('replaces x-forwarded-for with the client address and drops hop-by-hop headers both ways', async () => {
    // Arrange
    const p = await proxy();
    let seen: IncomingHttpHeaders = {};
    const a = await scriptedApp((req, res) => {
      seen = req.headers;
      res.setHeader('keep-alive', 'timeout=60');
      res.setHeader('x-app', 'one');
      res.end('ok');
    });
    cleanups.push(() => new Promise((done) => a.server.close(() => done())));
    p.setTarget(a.port);
    // Act
    const answer = await send(p.port, {
      headers: { 'x-forwarded-for': '203.0.113.9', 'proxy-connection': 'keep-alive', 'x-trace': 't1' },
    });
    // Assert
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-trace']).toBe('t1');
    expect(seen['proxy-connection']).toBeUndefined();
    expect(answer.headers['x-app']).toBe('one');
    expect(answer.headers['keep-alive']).toBe('timeout=5'); // the proxy's own, not the app's 60
  });

  it('keeps a Node keep-alive client on one connection across requests', async () => {
    // Arrange
    const p = await proxy();
    const blue = await started('blue');
    p.setTarget(blue.port);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(async () => agent.destroy());
    // Act
    const first = await send(p.port, { agent });
    const second = await send(p.port, { agent });
    // Assert
    expect([first.reused, second.reused]).toEqual([false, true]);
  });

  it('streams a 3 MiB chunked upload to the app and its 3 MiB chunked answer back intact', async () => {
    // Arrange
    const p = await proxy();
    const a = await scriptedApp((req, res) => {
      const hash = createHash('sha256');
      let size = 0;
      req.on('data', (c: Buffer) => {
        hash.update(c);
        size += c.length;
      });
      req.on('end', () => {
        res.setHeader('x-upload', `${size} ${hash.digest('hex')}`);
        for (let i = 0; i < 48; i += 1) res.write(Buffer.alloc(64 * 1024, i));
        res.end();
      });
    });
    cleanups.push(() => new Promise((done) => a.server.close(() => done())));
    p.setTarget(a.port, 'r1');
    const upload = Array.from({ length: 48 }, (_, i) => Buffer.alloc(64 * 1024, 255 - i));
    // Act
    const answer = await send(p.port, { method: 'POST', body: upload });
    // Assert
    expect(answer.headers['x-upload']).toBe(`${48 * 64 * 1024} ${sha(Buffer.concat(upload))}`);
    expect(answer.headers['transfer-encoding']).toBe('chunked');
    const expected = Buffer.concat(Array.from({ length: 48 }, (_, i) => Buffer.alloc(64 * 1024, i)));
    expect(sha(answer.body)).toBe(sha(expected));
    expect(p.log.window(...ALL_TIME, 'r1')).toMatchObject({ requests: 1, errors: 0 });
  });

  it("forwards a body with content-length and keeps the app's content-length", async () => {
    // Arrange
    const p = await proxy();
    const a = await scriptedApp((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        res.writeHead(201, { 'content-length': String(body.length) });
        res.end(body);
      });
    });
    cleanups.push(() => new Promise((done) => a.server.close(() => done())));
    p.setTarget(a.port);
    // Act
    const answer = await send(p.port, {
      method: 'PUT',
      headers: { 'content-length': '11' },
      body: [Buffer.from('hello world')],
    });
    // Assert
    expect(answer.status).toBe(201);
    expect(answer.headers['content-length']).toBe('11');
    expect(answer.body.toString()).toBe('hello world');
  });

  it("pins a sticky client with a cookie after the app's own cookies and routes it by that pin", async () => {
    // Arrange
    const p = await proxy();
    const cookieApp = (name: string) =>
      scriptedApp((_req, res) => {
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.end(name);
      });
    const blue = await cookieApp('blue');
    const green = await cookieApp('green');
    for (const a of [blue, green]) cleanups.push(() => new Promise((done) => a.server.close(() => done())));
    p.route({
      baseline: { port: blue.port, version: 'r1' },
      canary: { port: green.port, version: 'r2' },
      canaryPercent: 50,
      sticky: true,
    });
    // Act
    const fresh = await send(p.port, {});
    const pinned = await send(p.port, { headers: { cookie: 'x=1; tollgate-release=r2' } });
    // Assert
    expect(fresh.headers['set-cookie']).toEqual([
      'a=1',
      'b=2',
      'tollgate-release=r1; Path=/; HttpOnly; SameSite=Lax',
    ]);
    expect(pinned.body.toString()).toBe('green');
    expect(pinned.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('lets a request in flight finish on the app it started on when the target changes', async () => {
    // Arrange
    const p = await proxy();
    let release: () => void = () => {};
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((done) => {
      arrived = done;
    });
    const slow = await scriptedApp((_req, res) => {
      release = () => res.end('slow');
      arrived();
    });
    cleanups.push(() => new Promise((done) => slow.server.close(() => done())));
    const green = await started('green');
    p.setTarget(slow.port, 'r1');
    const inFlight = send(p.port, {});
    await arrival;
    // Act
    p.setTarget(green.port, 'r2');
    const after = await send(p.port, {});
    release();
    const before = await inFlight;
    // Assert
    expect(before.body.toString()).toBe('slow');
    expect(after.body.toString()).toBe('green /x');
    expect(p.log.window(...ALL_TIME, 'r1')).toMatchObject({ requests: 1, errors: 0 });
  });

  it('aborts the app request when the client leaves and counts it as 499, not an error', async () => {
    // Arrange
    const p = await proxy();
    let appSawClose = false;
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((done) => {
      arrived = done;
    });
    const hung = await scriptedApp((req) => {
      req.socket.once('close', () => {
        appSawClose = true;
      });
      arrived();
    });
    cleanups.push(() => new Promise((done) => hung.server.close(() => done())));
    p.setTarget(hung.port, 'r1');
    const client = request({ host: '127.0.0.1', port: p.port, path: '/' });
    client.on('error', () => {}); // the abort below is the point
    client.end();
    await arrival;
    // Act
    client.destroy();
    // Assert
    await expect.poll(() => appSawClose).toBe(true);
    expect(p.log.window(...ALL_TIME, 'r1')).toMatchObject({ requests: 1, errors: 0 });
    expect(CLIENT_CLOSED_REQUEST).toBe(499);
  });

  it('cuts the client response off and counts a 502 when the app dies mid-body', async () => {
    // Arrange
    const p = await proxy();
    const dying = await scriptedApp((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setImmediate(() => res.socket?.destroy());
    });
    cleanups.push(() => new Promise((done) => dying.server.close(() => done())));
    p.setTarget(dying.port, 'r1');
    // Act
    const attempt = send(p.port, {});
    // Assert
    await expect(attempt).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    await expect.poll(() => p.log.window(...ALL_TIME, 'r1').errors).toBe(1);
  });

  it('closes its idle connections to an app once no route sends requests there', async () => {
    // Arrange
    const p = await proxy();
    const blue = await started('blue');
    const green = await started('green');
    p.setTarget(blue.port);
    await send(p.port, {});
    const connections = () =>
      new Promise<number>((done) => blue.server.getConnections((_error, count) => done(count)));
    expect(await connections()).toBe(1);
    // Act
    p.setTarget(green.port);
    // Assert
    await expect.poll(connections).toBe(0);
  });
});
