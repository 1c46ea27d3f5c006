import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApproveUrlClient } from '../../../../cli/aws/approve-url-client.js';
import { decisionReply } from '../../../../cli/aws/decision-reply.js';
import { approvalFixture } from '../../functions/approve/approval-fixture.js';
import { startFunctionUrl } from './function-url-server.js';

const BOB = {
  accessKeyId: 'AKIAIOSFODNN7BOB0000',
  secretAccessKey: 'bob-secret-key-0000000000000000000000000',
  arn: 'arn:aws:iam::123456789012:user/bob',
};
const ALICE = {
  accessKeyId: 'AKIAIOSFODNN7ALICE00',
  secretAccessKey: 'alice-secret-key-00000000000000000000000',
  arn: 'arn:aws:iam::123456789012:user/alice',
};
const STRANGER = { accessKeyId: 'AKIAIOSFODNN7NOBODY0', secretAccessKey: 'x'.repeat(40) };

describe('ApproveUrlClient against an AWS_IAM function URL running the real approve handler', () => {
  let fixture: Awaited<ReturnType<typeof approvalFixture>>;
  let fn: Awaited<ReturnType<typeof startFunctionUrl>>;
  const client = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
    new ApproveUrlClient({ url: fn.url, credentials, region: 'eu-west-1', now: () => fixture.clock.now() });

  beforeEach(async () => {
    fixture = await approvalFixture();
    fn = await startFunctionUrl({
      principals: [BOB, ALICE],
      ports: async () => fixture.ports as never,
      now: () => fixture.clock.now(),
    });
  });
  afterEach(() => fn.close());

  it('decides as the IAM principal that signed, and the run is resumed', async () => {
    // Act
    const answer = await client(BOB).decide({
      approvalId: fixture.record.id,
      decision: 'approve',
      comment: 'ok',
    });
    // Assert
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ outcome: 'decided', status: 'approved', delivered: true });
    expect(fn.calls).toEqual([BOB.arn]);
    expect((await fixture.current())?.votes.map((v) => v.approver)).toEqual([BOB.arn]);
    expect(fixture.callback.calls.map((c) => c.kind)).toEqual(['success']);
  });

  it('gets the self-approval refusal when the signer authored the commit, and nothing changes', async () => {
    // Act
    const reply = decisionReply(
      await client(ALICE).decide({ approvalId: fixture.record.id, decision: 'approve', comment: '' }),
    );
    // Assert
    expect(reply).toEqual({
      status: 403,
      body: { error: 'self-approval', reason: expect.stringContaining('authored commit 1a2b3c4') },
    });
    expect((await fixture.current())?.status).toBe('pending');
    expect(fixture.callback.calls).toEqual([]);
  });

  it('turns an IAM refusal (unknown key) into a 403 that names the approver policy', async () => {
    // Act
    const reply = decisionReply(
      await client(STRANGER).decide({ approvalId: fixture.record.id, decision: 'approve', comment: '' }),
    );
    // Assert
    expect(reply.status).toBe(403);
    expect(reply.body.reason).toMatch(/AWS refused the signed request \(Forbidden\).*ApproverPolicyArn/);
    expect(fn.calls).toEqual([]);
  });

  it('reports an unknown approval id as the 404 refusal', async () => {
    // Act
    const reply = decisionReply(
      await client(BOB).decide({ approvalId: 'nope', decision: 'reject', comment: 'no' }),
    );
    // Assert
    expect(reply).toMatchObject({ status: 404, body: { error: 'unknown-approval' } });
  });
});

describe('decisionReply', () => {
  it('takes the status from the refusal code, not from the status the function sent', () => {
    // Act
    const reply = decisionReply({
      status: 400,
      body: { outcome: 'refused', code: 'double-vote', reason: 'bob already voted\n(approve)' },
    });
    // Assert
    expect(reply).toEqual({
      status: 409,
      body: { error: 'double-vote', reason: 'bob already voted (approve)' },
    });
  });

  it('answers 502 in one line for a refusal whose code it does not know, never guessing from the text', () => {
    // Act
    const reply = decisionReply({
      status: 403,
      body: { outcome: 'refused', code: 'not-an-approver!', reason: 'refused (not-an-approver): x' },
    });
    // Assert
    expect(reply.status).toBe(502);
    expect(reply.body).toEqual({
      error: 'upstream',
      reason:
        'the approve function refused with an unknown code "not-an-approver!": refused (not-an-approver): x',
    });
  });
});

describe('ApproveUrlClient bad input', () => {
  const credentials = STRANGER;

  it('refuses a URL that is not one', () => {
    expect(() => new ApproveUrlClient({ url: 'not a url', credentials, region: 'eu-west-1' })).toThrow(
      /ApproveUrl "not a url" is not a URL/,
    );
  });

  it('refuses plain http to anything but loopback, since a signature could be replayed', () => {
    expect(
      () => new ApproveUrlClient({ url: 'http://abc.lambda-url.eu-west-1.on.aws/', credentials }),
    ).toThrow(/must be https/);
  });

  it('takes the region from the function URL host, and asks for AWS_REGION when it cannot', () => {
    const saved = { r: process.env.AWS_REGION, d: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      expect(
        () => new ApproveUrlClient({ url: 'https://abc123.lambda-url.eu-west-1.on.aws/', credentials }),
      ).not.toThrow();
      expect(() => new ApproveUrlClient({ url: 'https://approve.example.com/', credentials })).toThrow(
        /cannot tell the region of approve.example.com; set AWS_REGION/,
      );
    } finally {
      if (saved.r !== undefined) process.env.AWS_REGION = saved.r;
      if (saved.d !== undefined) process.env.AWS_DEFAULT_REGION = saved.d;
    }
  });

  it('says the URL cannot be reached, in one line, when nothing listens', async () => {
    // Arrange: a port that was just free
    const port = await freePort();
    const c = new ApproveUrlClient({ url: `http://127.0.0.1:${port}/`, credentials, region: 'eu-west-1' });
    // Act + Assert
    await expect(c.decide({ approvalId: 'x', decision: 'approve', comment: '' })).rejects.toThrow(
      new RegExp(`^cannot reach http://127\\.0\\.0\\.1:${port}: fetch failed \\(ECONNREFUSED\\)$`),
    );
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
