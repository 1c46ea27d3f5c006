import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { ProxyExchange } from '../../../../../../functions/shared/adapters/local/proxy-exchange.js';
import { RequestLog } from '../../../../../../functions/shared/adapters/local/proxy-metrics-source.js';
import { ManualClock } from '../../../../../../functions/shared/clock.js';

/** undici's side of one request: records what the exchange asks of it. */
class RecordingController implements Dispatcher.DispatchController {
  readonly calls: string[] = [];
  aborted = false;
  paused = false;
  reason: Error | null = null;
  abort(reason: Error): void {
    this.calls.push(`abort: ${reason.message}`);
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
}

describe('ProxyExchange', () => {
  it('aborts a request that waited in the pool when its client left before it was sent', async () => {
    // Arrange: a real client connection whose response the exchange owns
    let response: ServerResponse | undefined;
    const server = createServer((_req, res) => {
      response = res;
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const client = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
    client.on('error', () => {}); // the client leaving is the point
    client.end();
    await expect.poll(() => response).toBeDefined();
    const log = new RequestLog();
    const exchange = new ProxyExchange(
      response!,
      log,
      new ManualClock(),
      Date.parse('2026-01-01'),
      'r1',
      undefined,
      'test',
    );
    client.destroy();
    await expect.poll(() => log.window(new Date(0), new Date(Date.UTC(2100, 0))).requests).toBe(1);
    const controller = new RecordingController();
    // Act: the pool finally has a connection for it
    exchange.onRequestStart(controller);
    // Assert
    expect(controller.calls).toEqual(['abort: the client closed the connection']);
    expect(log.window(new Date(0), new Date(Date.UTC(2100, 0)), 'r1')).toMatchObject({
      requests: 1,
      errors: 0,
    });
    await new Promise<void>((done) => server.close(() => done()));
  });
});
