import { match, PathError, parse } from 'path-to-regexp';

/**
 * One route table per HTTP server (the console, the local approvals API, `console --aws`): rows of
 * method + path pattern + handler, matched in one place so "which path is ours", "which methods
 * it takes" and "what the path's parameters are" are never kept in parallel lists.
 *
 * Patterns are path-to-regexp's (`/api/runs/:name/history`). The table only answers what matched;
 * each server words its own 404/405/400 replies, since their answer shapes differ.
 */
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
type HttpMethod = (typeof HTTP_METHODS)[number];

export interface Route<H> {
  readonly method: HttpMethod | readonly HttpMethod[];
  readonly path: string;
  readonly handler: H;
}

export type RouteParams = Readonly<Record<string, string>>;

export type RouteMatch<H> =
  /** No row has this path: not this server's, let the next one answer. */
  | { readonly kind: 'not-found' }
  /** A row has this path, but not for this method. */
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly HttpMethod[] }
  /** The path is ours, but a parameter is not valid percent-encoding. */
  | { readonly kind: 'bad-encoding'; readonly param: string }
  | { readonly kind: 'found'; readonly handler: H; readonly params: RouteParams };

/** A route table that cannot work as written; raised once, when the table is built. */
export class RouteTableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RouteTableError';
  }
}

interface CompiledRoute<H> {
  readonly methods: readonly HttpMethod[];
  readonly handler: H;
  readonly matches: (path: string) => false | { params: Partial<Record<string, string | string[]>> };
}

export class RouteTable<H> {
  private readonly rows: readonly CompiledRoute<H>[];

  constructor(routes: readonly Route<H>[]) {
    if (!Array.isArray(routes)) throw new RouteTableError('a route table needs an array of routes');
    const seen = new Set<string>();
    this.rows = routes.map((route) => {
      const methods = compileMethods(route);
      for (const method of methods) {
        const key = `${method} ${route.path}`;
        if (seen.has(key)) throw new RouteTableError(`route ${key} is listed twice`);
        seen.add(key);
      }
      return { methods, handler: route.handler, matches: compilePath(route.path) };
    });
  }

  match(method: string, path: string): RouteMatch<H> {
    const hits = this.rows
      .map((row) => ({ row, hit: row.matches(path) }))
      .filter((h): h is { row: CompiledRoute<H>; hit: Exclude<typeof h.hit, false> } => h.hit !== false);
    if (hits.length === 0) return { kind: 'not-found' };
    const chosen = hits.find((h) => h.row.methods.includes(method as HttpMethod));
    if (!chosen)
      return { kind: 'method-not-allowed', allowed: [...new Set(hits.flatMap((h) => h.row.methods))] };
    const params: Record<string, string> = {};
    for (const [name, raw] of Object.entries(chosen.hit.params)) {
      try {
        params[name] = decodeURIComponent(raw as string);
      } catch {
        return { kind: 'bad-encoding', param: name };
      }
    }
    return { kind: 'found', handler: chosen.row.handler, params };
  }
}

function compileMethods<H>(route: Route<H>): readonly HttpMethod[] {
  const methods = typeof route?.method === 'string' ? [route.method] : route?.method;
  if (!Array.isArray(methods) || methods.length === 0) {
    throw new RouteTableError(`route ${JSON.stringify(route?.path)} needs a method or a list of methods`);
  }
  const unknown = methods.filter((m) => !HTTP_METHODS.includes(m));
  if (unknown.length > 0) {
    throw new RouteTableError(
      `route ${JSON.stringify(route.path)}: unknown method ${JSON.stringify(unknown[0])}; use one of ${HTTP_METHODS.join(', ')}`,
    );
  }
  return methods;
}

function compilePath(path: unknown): CompiledRoute<never>['matches'] {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new RouteTableError(`route path ${JSON.stringify(path)} must be a string starting with "/"`);
  }
  let tokens: ReturnType<typeof parse>;
  try {
    tokens = parse(path);
  } catch (error) {
    if (!(error instanceof PathError)) throw error;
    throw new RouteTableError(`route path ${JSON.stringify(path)} is not a valid pattern: ${error.message}`);
  }
  // A wildcard captures several segments as a list; every parameter here is one decoded segment.
  if (JSON.stringify(tokens.tokens).includes('"type":"wildcard"')) {
    throw new RouteTableError(
      `route path ${JSON.stringify(path)}: wildcards are not supported; name each segment`,
    );
  }
  // Exact and case-sensitive, like the paths these servers always answered: `/api/runs/` and
  // `/API/runs` are not `/api/runs`. Decoding is done by the table, so a bad escape is a 400.
  return match(tokens, { decode: false, trailing: false, sensitive: true });
}
