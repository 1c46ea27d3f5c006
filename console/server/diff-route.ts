import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Ledger } from '../../functions/shared/ports/ledger.js';
import { replyJson } from '../../runtime/local-api/json-reply.js';
import { type DiffPorts, releaseDiff } from './diff-view.js';
import { MethodNotAllowedError } from './errors.js';
import { checkHost, sendError } from './http.js';

interface DiffRouteOptions extends Omit<DiffPorts, 'entries'> {
  readonly ledger: Pick<Ledger, 'query'>;
  readonly port: () => number;
  readonly onInternalError?: (error: unknown) => void;
}

const PATH = /^\/api\/diff(?:\?.*)?$/;

/**
 * `GET /api/diff?a=…&b=…`: the diff page's data, the same `releaseDiff` as `tollgate diff`. Beside
 * the console's routes (as the redeploy route) because it reads the artifact store and the
 * source, which the console's read-only views do not hold.
 */
export function createDiffRoute(options: DiffRouteOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (!PATH.test(req.url ?? '')) return false;
    try {
      checkHost(req, options.port());
      if (req.method !== 'GET' && req.method !== 'HEAD')
        throw new MethodNotAllowedError(`${req.method} is not allowed here; use GET`);
      const q = new URL(req.url ?? '/', 'http://console.invalid').searchParams;
      const diff = await releaseDiff(q.get('a') ?? '', q.get('b') ?? '', {
        ...options,
        entries: () => options.ledger.query({ pipeline: options.config.name }),
      });
      replyJson(res, 200, diff);
    } catch (error) {
      sendError(res, error, options.onInternalError ?? console.error);
    }
    return true;
  };
}
