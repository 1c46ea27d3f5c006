import { RELEASE_COOKIE } from './weighted-routes.js';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, not the message: the proxy has its
 * own connections on both sides, so it drops them and lets each side frame and keep alive its own.
 * Forwarding the app's `Keep-Alive: timeout=5` told clients to reuse sockets the proxy closes sooner.
 * `x-forwarded-for` is replaced, not appended: the proxy is the environment's edge.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  // Node's server already answered `100-continue` for the client; the app gets the body itself.
  'expect',
  'x-forwarded-for',
]);

interface ForwardedRequest {
  /** Flat name/value pairs for the app, in the client's order and spelling. */
  readonly headers: string[];
  /** The `tollgate-release` cookie's raw Cookie header(s), joined as Node joins them. */
  readonly cookie: string | undefined;
  /** Whether a body follows the head (a length above 0, or any transfer coding). */
  readonly hasBody: boolean;
}

/**
 * The client's headers as the app receives them, read from `rawHeaders` in one pass: building
 * `req.headers` (an object, lower-cased keys) and copying it cost more than the loop.
 */
export function forwardedRequest(rawHeaders: readonly string[], clientAddress: string): ForwardedRequest {
  const headers: string[] = [];
  let cookie: string | undefined;
  let hasBody = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const value = rawHeaders[i + 1]!;
    const lower = name.toLowerCase();
    if (lower === 'cookie') cookie = cookie === undefined ? value : `${cookie}; ${value}`;
    else if (lower === 'content-length') hasBody ||= value.trim() !== '0';
    else if (lower === 'transfer-encoding') hasBody = true;
    if (!HOP_BY_HOP.has(lower)) headers.push(name, value);
  }
  headers.push('x-forwarded-for', clientAddress);
  return { headers, cookie, hasBody };
}

/**
 * The app's response headers for the client, as flat pairs; `pin` adds the sticky-routing cookie
 * after the app's own cookies. The pin lives as long as the browser session.
 */
export function returnedHeaders(
  appHeaders: Readonly<Record<string, string | string[] | undefined>>,
  pin: string | undefined,
): string[] {
  const out: string[] = [];
  for (const name in appHeaders) {
    const value = appHeaders[name];
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (typeof value === 'string') out.push(name, value);
    else for (const one of value) out.push(name, one);
  }
  if (pin !== undefined) {
    out.push('set-cookie', `${RELEASE_COOKIE}=${encodeURIComponent(pin)}; Path=/; HttpOnly; SameSite=Lax`);
  }
  return out;
}
