import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';

/**
 * Who may change anything through the local runtime's `/api/*` routes.
 *
 * - The CLI proves it runs as the user who owns `.tollgate/` by sending the local secret
 *   (`X-Tollgate-Secret`), which only that user can read (mode 0600).
 * - The console, a browser page, gets a CSRF token derived from the secret in the page it loads,
 *   and must send it back in `X-CSRF-Token` from the same origin. Another web page can make the
 *   browser send a request, but can neither read the token nor forge the Origin header.
 */
export const SECRET_FILE = 'secret';

export function loadOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, SECRET_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

export function csrfToken(secret: string): string {
  return createHmac('sha256', secret).update('tollgate-console-csrf').digest('hex');
}

function same(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reading routes are guarded too: a page from another site can point a DNS name it controls at
 * 127.0.0.1 (DNS rebinding) and read the answers, so the Host header must name the loopback port.
 * The console and the approvals API both ask this one function.
 */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  return typeof host === 'string' && allowed.includes(host.toLowerCase());
}

export type MutationVerdict =
  | { ok: true; via: 'secret' | 'csrf' }
  | { ok: false; status: 403; reason: string };

/** Decides whether a mutating request may proceed; the reason is one line, safe to return. */
export function authorizeMutation(
  req: IncomingMessage,
  options: { secret: string; port: number },
): MutationVerdict {
  if (same(header(req, 'x-tollgate-secret'), options.secret)) return { ok: true, via: 'secret' };
  const origin = header(req, 'origin');
  const allowed = [`http://127.0.0.1:${options.port}`, `http://localhost:${options.port}`];
  if (!origin || !allowed.includes(origin)) {
    return { ok: false, status: 403, reason: `cross-origin request refused (Origin ${origin ?? 'missing'})` };
  }
  if (!same(header(req, 'x-csrf-token'), csrfToken(options.secret))) {
    return { ok: false, status: 403, reason: 'missing or wrong CSRF token; reload the console' };
  }
  return { ok: true, via: 'csrf' };
}
