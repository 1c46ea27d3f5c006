import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackHost } from '../../runtime/local-api/auth.js';
import { ConsoleError, ForbiddenError } from './errors.js';

/**
 * Headers on every console response: nothing is cached (runs change), nothing may frame the page
 * (a framed approve button is clickjacking), and content types are never sniffed.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: unknown, report: (error: unknown) => void): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof ConsoleError) {
    sendJson(res, error.status, { error: error.name, message: error.message });
    return;
  }
  report(error);
  sendJson(res, 500, {
    error: 'InternalError',
    message: 'the console failed to answer; see the runtime log',
  });
}

/** The DNS-rebinding guard (see isLoopbackHost), as the console's error. */
export function checkHost(req: IncomingMessage, port: number): void {
  const host = req.headers.host;
  if (!isLoopbackHost(host, port)) {
    throw new ForbiddenError(
      `unexpected Host ${JSON.stringify(host ?? '')}; open the console at http://127.0.0.1:${port}/console`,
    );
  }
}
