import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackHost } from '../../runtime/local-api/auth.js';
import { replyJson } from '../../runtime/local-api/json-reply.js';
import { ConsoleError, ForbiddenError } from './errors.js';

// The event stream sets the same headers as every JSON answer; one list serves both.
export { SECURITY_HEADERS } from '../../runtime/local-api/json-reply.js';

/** Answers a route's failure: a ConsoleError with its status and one-line message, anything else 500. */
export function sendError(res: ServerResponse, error: unknown, report: (error: unknown) => void): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof ConsoleError) {
    replyJson(res, error.status, { error: error.name, message: error.message });
    return;
  }
  report(error);
  replyJson(res, 500, {
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
