import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvProxy } from '../../../../../../functions/shared/adapters/local/env-proxy.js';
import { ManualClock } from '../../../../../../functions/shared/clock.js';

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
});
