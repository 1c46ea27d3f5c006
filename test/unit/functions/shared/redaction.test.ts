import { describe, expect, it } from 'vitest';
import { ConnectionSecret } from '../../../../functions/shared/database/connection-string.js';
import { REDACTED, redact } from '../../../../functions/shared/redaction.js';

describe('redact (the one policy for logs and the console)', () => {
  it.each([
    ['a task token', { taskToken: 'AAAA' }],
    ['a salt (mask-data)', { salt: 's3cr3t-salt' }],
    ['credentials', { credentials: { accessKeyId: 'AKIA', secretAccessKey: 'x' } }],
    ['a password', { password: 'hunter2' }],
    ['an API key', { 'api-key': 'k' }],
    ['an authorization header', { Authorization: 'Bearer t' }],
    ['a signature', { signature: 'sig' }],
  ])('hides %s by its key', (_what, value) => {
    const key = Object.keys(value)[0]!;
    expect(redact(value)).toEqual({ [key]: REDACTED });
  });

  it('masks the password of a URL inside any string', () => {
    expect(redact({ note: 'connect to postgres://app:hunter2@db:5432/orders now' })).toEqual({
      note: 'connect to postgres://app:***@db:5432/orders now',
    });
  });

  it('redacts inside JSON held in a string, as history payloads are', () => {
    const payload = JSON.stringify({ input: { taskToken: 'AAAA', env: 'test' } });
    expect(JSON.parse(redact(payload))).toEqual({ input: { taskToken: REDACTED, env: 'test' } });
  });

  it('writes a connection secret as its own redacted form', () => {
    const secret = new ConnectionSecret('postgres://app:hunter2@db:5432/orders');
    expect(redact({ database: secret })).toEqual({ database: 'postgres://app:***@db:5432/orders' });
  });

  it('keeps everything else as it was', () => {
    const value = { env: 'test', attempts: 3, ok: true, list: ['a', null] };
    expect(redact(value)).toEqual(value);
  });
});
