import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApprovalsRoute } from '../../../../runtime/local-api/approvals-route.js';
import { csrfToken } from '../../../../runtime/local-api/auth.js';
import { approvalFixture } from '../../functions/approve/approval-fixture.js';
import { rawRequest } from '../server/support/raw-request.js';

const SECRET = 'local-secret-0123456789abcdef0123';

/** The local approvals API over real HTTP, with the approve task's own rules behind it. */
describe('local approvals API', () => {
  let fixture: Awaited<ReturnType<typeof approvalFixture>>;
  let server: Server;
  let origin: string;
  let path: string;

  beforeEach(async () => {
    fixture = await approvalFixture();
    let port = 0;
    const route = createApprovalsRoute({
      secret: SECRET,
      port: () => port,
      runtimeUser: 'carol',
      ports: async () => fixture.ports as never,
    });
    server = createServer((req, res) => {
      Promise.resolve(route(req, res)).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    origin = `http://127.0.0.1:${port}`;
    path = `${origin}/api/approvals/${encodeURIComponent(fixture.record.id)}/decision`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = async (body: string, headers: Record<string, string> = { 'x-tollgate-secret': SECRET }) => {
    const res = await fetch(path, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as { error: string; reason: string } };
  };
  const unchanged = async () => {
    expect((await fixture.current())?.votes).toEqual([]);
    expect(fixture.callback.calls).toEqual([]);
  };

  it('decides as the user the CLI names with the local secret', async () => {
    // Act
    const answer = await fetch(path, {
      method: 'POST',
      headers: { 'x-tollgate-secret': SECRET, 'x-tollgate-user': 'bob' },
      body: JSON.stringify({ decision: 'approve', comment: 'ok' }),
    });
    // Assert
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ outcome: 'decided', status: 'approved' });
    expect((await fixture.current())?.votes.map((v) => v.approver)).toEqual(['bob']);
  });

  it('decides from the console page as the runtime user, with its CSRF token from the same origin', async () => {
    // Act
    const { status, body } = await post(JSON.stringify({ decision: 'reject', comment: 'not yet' }), {
      origin,
      'x-csrf-token': csrfToken(SECRET),
    });
    // Assert
    expect(status).toBe(200);
    expect(body).toMatchObject({ outcome: 'decided', status: 'rejected' });
    expect((await fixture.current())?.votes.map((v) => v.approver)).toEqual(['carol']);
  });

  const bad: Array<[string, string, Record<string, string> | undefined, number, RegExp]> = [
    ['a body that is not JSON', '{"decision":', undefined, 400, /^request body is not valid JSON$/],
    ['a JSON array', '[]', undefined, 400, /^request body must be a JSON object$/],
    [
      'a field it does not know (a caller cannot be named in the body)',
      JSON.stringify({ decision: 'approve', caller: 'bob' }),
      undefined,
      400,
      /^unknown field\(s\) caller; send \{decision, comment\}$/,
    ],
    [
      'a body over 16 KiB',
      JSON.stringify({ comment: 'x'.repeat(17_000) }),
      undefined,
      413,
      /exceeds 16384 bytes/,
    ],
    [
      'X-Tollgate-User from the page (only the CLI, with the secret, may name a user)',
      JSON.stringify({ decision: 'approve' }),
      { origin: 'ORIGIN', 'x-csrf-token': csrfToken(SECRET), 'x-tollgate-user': 'bob' },
      400,
      /^X-Tollgate-User is only accepted with the local secret$/,
    ],
    [
      'an X-Tollgate-User with a space',
      JSON.stringify({ decision: 'approve' }),
      { 'x-tollgate-secret': SECRET, 'x-tollgate-user': 'bob smith' },
      400,
      /^X-Tollgate-User must be 1-256 characters without spaces$/,
    ],
    [
      'a page from another origin',
      JSON.stringify({ decision: 'approve' }),
      { origin: 'https://elsewhere.example', 'x-csrf-token': csrfToken(SECRET) },
      403,
      /^cross-origin request refused \(Origin https:\/\/elsewhere\.example\)$/,
    ],
    [
      'a decision that is neither approve nor reject',
      JSON.stringify({ decision: 'maybe' }),
      undefined,
      400,
      /decision/,
    ],
  ];
  for (const [what, body, headers, status, reason] of bad) {
    it(`refuses ${what} in one line and changes nothing`, async () => {
      // Act
      const fixed =
        headers &&
        Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v === 'ORIGIN' ? origin : v]));
      const answer = await post(body, fixed);
      // Assert
      expect(answer.status).toBe(status);
      expect(answer.body.reason).toMatch(reason);
      expect(answer.body.reason).not.toContain('\n');
      await unchanged();
    });
  }

  const refusals: Array<[string, string, number, string]> = [
    ['someone not on the approvers list', 'mallory', 403, 'not-an-approver'],
    ['the commit author (self-approval)', 'alice', 403, 'self-approval'],
  ];
  for (const [who, user, status, code] of refusals) {
    it(`answers ${status} with the refusal code ${code} as data when ${who} votes, and changes nothing`, async () => {
      // Act
      const answer = await fetch(path, {
        method: 'POST',
        headers: { 'x-tollgate-secret': SECRET, 'x-tollgate-user': user },
        body: JSON.stringify({ decision: 'approve', comment: '' }),
      });
      // Assert
      expect(answer.status).toBe(status);
      const body = (await answer.json()) as { error: string; reason: string };
      expect(body.error).toBe(code);
      expect(body.reason).toContain(user);
      expect(body.reason).not.toMatch(/^refused \(/);
      await unchanged();
    });
  }

  it('answers 404 with unknown-approval for an approval id nobody issued', async () => {
    // Act
    const answer = await fetch(`${origin}/api/approvals/apr-000000000000000000000000/decision`, {
      method: 'POST',
      headers: { 'x-tollgate-secret': SECRET },
      body: JSON.stringify({ decision: 'approve', comment: '' }),
    });
    // Assert
    expect(answer.status).toBe(404);
    expect(await answer.json()).toMatchObject({ error: 'unknown-approval' });
    await unchanged();
  });

  it('refuses an approval id that is not valid percent-encoding with 400 in one line', async () => {
    // Act
    const answer = await fetch(`${origin}/api/approvals/%E0%A4%A/decision`, {
      method: 'POST',
      headers: { 'x-tollgate-secret': SECRET },
      body: JSON.stringify({ decision: 'approve', comment: '' }),
    });
    // Assert
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      error: 'invalid-request',
      reason: 'the approval id is not valid percent-encoding',
    });
    await unchanged();
  });

  it('leaves paths it does not serve to the next handler', async () => {
    // Act
    const other = await fetch(`${origin}/api/approvals/x/other`, { method: 'POST' });
    const trailing = await fetch(`${origin}/api/approvals/`);
    // Assert
    expect([other.status, trailing.status]).toEqual([404, 404]);
  });

  it('answers 405 to a GET on a decision', async () => {
    // Act
    const res = await fetch(path);
    // Assert
    expect(res.status).toBe(405);
    await unchanged();
  });

  it('refuses a listing whose Host header is not the loopback port (DNS rebinding), like every other route', async () => {
    // Act
    const answer = await rawRequest(origin, {
      method: 'GET',
      path: '/api/approvals',
      headers: { host: 'evil.example:80' },
    });
    // Assert
    expect(answer.status).toBe(403);
    expect(answer.json()).toMatchObject({
      error: 'forbidden',
      reason: expect.stringMatching(/^unexpected Host "evil.example:80"/),
    });
    expect(answer.body).not.toContain(fixture.record.id);
  });

  it('refuses a decision whose Host header is not the loopback port, even with the local secret', async () => {
    // Act
    const answer = await rawRequest(origin, {
      path: new URL(path).pathname,
      headers: { host: 'evil.example', 'x-tollgate-secret': SECRET },
      body: JSON.stringify({ decision: 'approve', comment: 'ok' }),
    });
    // Assert
    expect(answer.status).toBe(403);
    await unchanged();
  });

  it('lists pending approvals when the Host names the loopback port', async () => {
    // Act
    const answer = await rawRequest(origin, {
      method: 'GET',
      path: '/api/approvals',
      headers: { host: `localhost:${new URL(origin).port}` },
    });
    // Assert
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(fixture.record.id);
  });
});
