import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Clock } from '../../clock.js';
import { returnedHeaders } from './proxy-headers.js';
import type { RequestLog } from './proxy-metrics-source.js';

/**
 * nginx's code for a client that left before its response was complete: counted as a request with
 * its latency (an app too slow to wait for shows in the percentiles), never as the app's error.
 */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * One request's trip to an app and back, as undici's dispatch handler. A class rather than a
 * closure per callback: the proxy allocates one object per request and nothing per chunk.
 */
export class ProxyExchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private done = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly log: RequestLog,
    private readonly clock: Clock,
    private readonly started: number,
    private readonly release: string | undefined,
    private readonly pin: string | undefined,
    private readonly environment: string,
  ) {
    res.once('close', () => this.clientClosed());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // A request that waited in the pool for a free connection may have lost its client meanwhile.
    if (this.done) controller.abort(new Error('the client closed the connection'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (status < 200) return; // informational: the final head follows
    this.status = status;
    const res = this.res;
    // Head, body and the chunked terminator leave in one write when the app's answer arrived in
    // one read (onResponseEnd follows in the same tick); a longer body is uncorked a tick later.
    res.cork();
    process.nextTick(uncork, res);
    res.writeHead(status, returnedHeaders(headers, this.pin));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.res.write(chunk)) return;
    controller.pause();
    this.res.once('drain', () => controller.resume());
  }

  onResponseEnd(): void {
    this.res.end();
    this.finish(this.status);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.done) return; // the client left first; already counted
    const res = this.res;
    if (res.headersSent) res.destroy();
    else {
      const code = (error as NodeJS.ErrnoException).code ?? error.message;
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `app in environment "${this.environment}" did not answer: ${code}` }));
    }
    this.finish(502);
  }

  private clientClosed(): void {
    if (this.done) return;
    // The app's own status if it answered; its work is abandoned either way.
    this.finish(this.status || CLIENT_CLOSED_REQUEST);
    this.controller?.abort(new Error('the client closed the connection'));
  }

  private finish(status: number): void {
    if (this.done) return;
    this.done = true;
    const at = this.clock.now().getTime();
    this.log.record({ at, status, latencyMs: Math.max(0, at - this.started), release: this.release });
  }
}

function uncork(res: ServerResponse): void {
  // end() already uncorked fully; uncorking again could release a later response's cork.
  if (!res.writableEnded) res.uncork();
}
