import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from '../../functions/shared/clock.js';
import { AwsApiError, type AwsJsonService } from '../api/aws-service.js';
import {
  type JsonContentType,
  jsonContentType,
  newResponseContext,
  ProtocolErrors,
  type ResponseContext,
  writeError,
  writeResult,
} from './aws-json-protocol.js';
import { LOCAL_REGION, type LocalCredentials } from './credentials.js';
import { ApiServerError } from './errors.js';
import { BodyTooLargeError, discardBody, readBody } from './request-body.js';
import { verifySigV4 } from './sigv4-verifier.js';

/** SigV4 signing names of the target prefixes we serve (the service in the credential scope). */
const DEFAULT_SIGNING_NAMES: Readonly<Record<string, string>> = {
  AWSStepFunctions: 'states',
  AWSEvents: 'events',
};

/**
 * 1 MiB: Step Functions takes payloads up to 256 KiB, and a JSON-escaped payload inside the
 * request envelope (definition, name, tags) stays far below this. Anything larger is refused
 * before it is read.
 */
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** Handles a non-AWS request (console, `/api/*`). Resolve true when it answered, false for a 404. */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface ApiServerOptions {
  readonly services: readonly AwsJsonService[];
  readonly credentials: LocalCredentials;
  /** Loopback only; anything else is refused. @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly extraRoutes?: ExtraRoutes;
  /** Checks the signature date window and stamps `Date`. @default systemClock */
  readonly clock?: Clock;
  /** @default DEFAULT_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
  /** Extra target prefix → signing name pairs, for services beyond Step Functions and EventBridge. */
  readonly signingNames?: Readonly<Record<string, string>>;
  /** Told about every unexpected throw answered as InternalFailure. @default console.error */
  readonly onInternalError?: (error: unknown) => void;
}

export interface ApiServer {
  readonly server: Server;
  /** e.g. `http://127.0.0.1:4600` */
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

interface Route {
  readonly service: AwsJsonService;
  readonly signingName: string;
}

/**
 * The local AWS front door: `POST /` in the AWS JSON 1.0/1.1 protocol, SigV4-authenticated, routed
 * by `X-Amz-Target` prefix to a service. Every failure becomes an AWS-shaped error response; no
 * input can throw out of the request handler.
 */
export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const routes = buildRoutes(options);
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new ApiServerError(
      `host must be a loopback address (127.0.0.1, ::1 or localhost), got ${JSON.stringify(host)}`,
    );
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new ApiServerError(`port must be an integer from 0 to 65535, got ${JSON.stringify(options.port)}`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new ApiServerError(`maxBodyBytes must be a positive integer, got ${JSON.stringify(maxBodyBytes)}`);
  }
  const clock = options.clock ?? systemClock;
  const report =
    options.onInternalError ?? ((error: unknown) => console.error('api server: internal error', error));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const contentType = jsonContentType(req.headers['content-type']);
    const isAws = req.headers['x-amz-target'] !== undefined || contentType !== null;
    if (!isAws) {
      if (options.extraRoutes && (await options.extraRoutes(req, res))) return;
      if (!res.headersSent)
        writeError(
          res,
          context(null),
          ProtocolErrors.unknownOperation(`No route for ${req.method} ${path(req)}`),
        );
      return;
    }
    const ctx = context(contentType);
    try {
      const result = await serveAws(req, contentType);
      writeResult(res, ctx, result);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        res.setHeader('connection', 'close');
        discardBody(req);
        writeError(res, ctx, ProtocolErrors.tooLarge(error.limit));
      } else if (error instanceof AwsApiError) {
        writeError(res, ctx, error);
      } else {
        report(error);
        writeError(res, ctx, ProtocolErrors.internal());
      }
    }
  };

  const context = (contentType: JsonContentType | null): ResponseContext =>
    newResponseContext(contentType ?? 'application/x-amz-json-1.0', clock.now());

  const serveAws = async (req: IncomingMessage, contentType: JsonContentType | null) => {
    if (req.method !== 'POST' || path(req) !== '/') {
      throw ProtocolErrors.unknownOperation(`AWS JSON requests are POST /, got ${req.method} ${path(req)}`);
    }
    if (contentType === null) {
      throw ProtocolErrors.unknownOperation(
        'Content-Type must be application/x-amz-json-1.0 or application/x-amz-json-1.1',
      );
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const match = /^([A-Za-z0-9_]+)\.([A-Za-z][A-Za-z0-9]*)$/.exec(target);
    const route = match ? routes.get(match[1]) : undefined;
    if (!match || !route) {
      throw ProtocolErrors.unknownOperation(
        target ? `Unknown operation ${target}` : 'Missing X-Amz-Target header',
      );
    }
    const body = await readBody(req, maxBodyBytes);
    await verifySigV4(
      { method: req.method, url: req.url ?? '/', headers: req.headers, body },
      {
        credentials: options.credentials,
        service: route.signingName,
        region: LOCAL_REGION,
        now: clock.now(),
      },
    );
    return route.service.dispatch(match[2], parseJsonBody(body));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      report(error);
      if (!res.headersSent) writeError(res, context(null), ProtocolErrors.internal());
      else res.destroy();
    });
  });
  // Malformed HTTP never reaches the handler; answer it plainly and drop the socket.
  server.on('clientError', (_error, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    endpoint: `http://${shownHost}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function buildRoutes(options: ApiServerOptions): Map<string, Route> {
  if (!Array.isArray(options.services) || options.services.length === 0) {
    throw new ApiServerError('services must be a non-empty array of AwsJsonService');
  }
  const names = { ...DEFAULT_SIGNING_NAMES, ...(options.signingNames ?? {}) };
  const routes = new Map<string, Route>();
  for (const service of options.services) {
    const prefix = service?.targetPrefix;
    if (typeof prefix !== 'string' || typeof service.dispatch !== 'function') {
      throw new ApiServerError('every service needs a string targetPrefix and a dispatch function');
    }
    if (routes.has(prefix)) throw new ApiServerError(`two services claim the target prefix ${prefix}`);
    const signingName = names[prefix];
    if (!signingName) {
      throw new ApiServerError(`no SigV4 signing name for target prefix ${prefix}; pass it in signingNames`);
    }
    routes.set(prefix, { service, signingName });
  }
  return routes;
}

function parseJsonBody(body: Buffer): unknown {
  // The SDK sends `{}` for operations without input; an empty body means the same.
  if (body.length === 0) return {};
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw ProtocolErrors.serialization('Request body is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw ProtocolErrors.serialization(`Request body is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw ProtocolErrors.serialization('Request body must be a JSON object');
  }
  return parsed;
}

function path(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0];
}
