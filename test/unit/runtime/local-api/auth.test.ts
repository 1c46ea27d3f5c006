import { mkdtempSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorizeMutation, csrfToken, loadOrCreateSecret } from '../../../../runtime/local-api/auth.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('authorizeMutation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-auth-'));
  const secret = loadOrCreateSecret(dir);
  const options = { secret, port: 4600 };

  it('creates the secret once, readable only by its owner', () => {
    expect(loadOrCreateSecret(dir)).toBe(secret);
    expect(statSync(join(dir, 'secret')).mode & 0o777).toBe(0o600);
  });

  it('accepts the CLI with the local secret', () => {
    expect(authorizeMutation(req({ 'x-tollgate-secret': secret }), options)).toEqual({
      ok: true,
      via: 'secret',
    });
  });

  it('accepts the console from the same origin with the CSRF token', () => {
    const verdict = authorizeMutation(
      req({ origin: 'http://127.0.0.1:4600', 'x-csrf-token': csrfToken(secret) }),
      options,
    );
    expect(verdict).toEqual({ ok: true, via: 'csrf' });
  });

  it('refuses another origin even with a valid token', () => {
    const verdict = authorizeMutation(
      req({ origin: 'http://evil.test', 'x-csrf-token': csrfToken(secret) }),
      options,
    );
    expect(verdict).toMatchObject({ ok: false, status: 403, reason: expect.stringMatching(/cross-origin/) });
  });

  it('refuses the same origin without the token, and a wrong secret', () => {
    expect(authorizeMutation(req({ origin: 'http://127.0.0.1:4600' }), options).ok).toBe(false);
    expect(authorizeMutation(req({ 'x-tollgate-secret': 'guess' }), options).ok).toBe(false);
  });
});
