import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AwsConsole, startAwsConsole } from '../../../../cli/aws/aws-console.js';
import { type AwsCliTarget, createTarget } from '../../../../cli/client/cli-context.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import { csrfToken } from '../../../../runtime/local-api/auth.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { rawRequest } from '../../runtime/server/support/raw-request.js';
import { BOB, startAwsStack } from './aws-stack-fixture.js';

const CSRF = /name="tollgate-csrf" content="([0-9a-f]+)"/;

/** `tollgate console --aws` end to end against the stand-in stack of aws-stack-fixture.ts. */
describe('tollgate console --aws', () => {
  let stack: Awaited<ReturnType<typeof startAwsStack>>;
  let served: AwsConsole | undefined;
  let target: AwsCliTarget;
  const serve = async () => {
    served = await startAwsConsole({ target, config: parseConfig(validConfig()), port: 0, credentials: BOB });
    return served;
  };

  beforeEach(async () => {
    // The stand-in function URL is on loopback, whose host name carries no region.
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    stack = await startAwsStack();
    target = { ...createTarget({ aws: true, stack: 'Tollgate' }), sfn: () => stack.sfn };
  });

  afterEach(async () => {
    await served?.close();
    served = undefined;
    await stack.close();
    vi.unstubAllEnvs();
  });

  it('serves the runs and the inbox from the stack, and an approval in it resumes the run on AWS', async () => {
    // Arrange
    const run = await stack.runAtGate();
    const { url } = await serve();
    const origin = new URL(url).origin;
    // Act
    const page = await fetch(url);
    const html = await page.text();
    const runs = (await (await fetch(`${origin}/api/runs`)).json()) as { runs: Array<{ name: string }> };
    const inboxText = await (await fetch(`${origin}/api/approvals`)).text();
    const token = CSRF.exec(html)?.[1];
    const decided = await fetch(`${origin}/api/approvals/${encodeURIComponent(run.record.id)}/decision`, {
      method: 'POST',
      headers: { origin, 'x-csrf-token': token ?? '', 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', comment: 'looks right' }),
    });
    // Assert
    expect(page.status).toBe(200);
    expect(runs.runs.map((r) => r.name)).toEqual(['run-1']);
    expect(JSON.parse(inboxText).approvals.map((a: { id: string }) => a.id)).toEqual([run.record.id]);
    expect(inboxText).not.toContain(run.token);
    expect(decided.status).toBe(200);
    expect(await decided.json()).toMatchObject({ outcome: 'decided', status: 'approved', delivered: true });
    expect(stack.fn.calls).toEqual([BOB.arn]);
    expect(await stack.finished(run.executionArn)).toBe('SUCCEEDED');
    expect(await stack.approvals().listPending()).toEqual([]);
    const trail = await stack.ledger().query({ kinds: ['approval-decision'] });
    expect(trail.map((e) => e.actor)).toEqual([BOB.arn]);
  });

  it('refuses a decision from another origin, and one without the CSRF token, and nothing changes', async () => {
    // Arrange
    const run = await stack.runAtGate();
    const { url } = await serve();
    const origin = new URL(url).origin;
    const path = `${origin}/api/approvals/${encodeURIComponent(run.record.id)}/decision`;
    const body = JSON.stringify({ decision: 'approve', comment: '' });
    // Act
    const crossOrigin = await fetch(path, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body,
    });
    const noToken = await fetch(path, { method: 'POST', headers: { origin }, body });
    const wrongToken = await fetch(path, {
      method: 'POST',
      headers: { origin, 'x-csrf-token': csrfToken('some-other-secret') },
      body,
    });
    // Assert
    expect([crossOrigin.status, noToken.status, wrongToken.status]).toEqual([403, 403, 403]);
    expect(((await crossOrigin.json()) as { reason: string }).reason).toMatch(/cross-origin request refused/);
    expect(stack.fn.calls).toEqual([]);
    expect((await stack.approvals().listPending()).map((a) => a.id)).toEqual([run.record.id]);
  });

  it('refuses a decision that names a user or has unknown fields, in one line', async () => {
    // Arrange
    const run = await stack.runAtGate();
    const { url } = await serve();
    const origin = new URL(url).origin;
    const html = await (await fetch(url)).text();
    const headers = {
      origin,
      'x-csrf-token': CSRF.exec(html)?.[1] ?? '',
    };
    const path = `${origin}/api/approvals/${encodeURIComponent(run.record.id)}/decision`;
    // Act
    const named = await fetch(path, {
      method: 'POST',
      headers: { ...headers, 'x-tollgate-user': 'alice' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    const extra = await fetch(path, {
      method: 'POST',
      headers,
      body: JSON.stringify({ decision: 'approve', caller: 'alice' }),
    });
    const badDecision = await fetch(path, {
      method: 'POST',
      headers,
      body: JSON.stringify({ decision: 'maybe' }),
    });
    // Assert
    expect(await named.json()).toEqual({
      error: 'invalid-request',
      reason:
        'X-Tollgate-User does not apply on AWS: you decide as the identity your AWS credentials sign as',
    });
    expect(await extra.json()).toEqual({
      error: 'invalid-request',
      reason: 'unknown field(s) caller; send {decision, comment}',
    });
    expect(badDecision.status).toBe(400);
    expect(stack.fn.calls).toEqual([]);
  });

  it('refuses to list the inbox or decide when the Host header is not the loopback port (DNS rebinding)', async () => {
    // Arrange
    const run = await stack.runAtGate();
    const { url } = await serve();
    const origin = new URL(url).origin;
    // Act
    const listing = await rawRequest(origin, {
      method: 'GET',
      path: '/api/approvals',
      headers: { host: `rebind.evil.example:${new URL(origin).port}` },
    });
    const decision = await rawRequest(origin, {
      path: `/api/approvals/${encodeURIComponent(run.record.id)}/decision`,
      headers: { host: 'rebind.evil.example', origin, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', comment: '' }),
    });
    // Assert
    expect([listing.status, decision.status]).toEqual([403, 403]);
    expect(listing.json()).toMatchObject({
      error: 'forbidden',
      reason: expect.stringMatching(/^unexpected Host/),
    });
    expect(listing.body).not.toContain(run.record.id);
    expect(stack.fn.calls).toEqual([]);
  });

  it('answers 405 naming the method to use, and 404 for a path nothing serves', async () => {
    // Arrange
    await stack.runAtGate();
    const { url } = await serve();
    const origin = new URL(url).origin;
    // Act
    const byPost = await fetch(`${origin}/api/approvals`, { method: 'POST' });
    const unknown = await fetch(`${origin}/api/nothing-here`);
    // Assert
    expect(byPost.status).toBe(405);
    expect(await byPost.json()).toEqual({ error: 'method-not-allowed', reason: 'use GET' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'not-found' });
  });

  it('fails in one line, listening on nothing, when the stack lacks an output', async () => {
    // Arrange
    stack.cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: 'Tollgate', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] },
      ],
    });
    // Act + Assert
    await expect(serve()).rejects.toThrow(
      /^stack Tollgate has no \w+ output; deploy the Tollgate stack with `npx cdk deploy`$/,
    );
  });

  it('fails in one line when the stack cannot be read', async () => {
    // Arrange
    stack.cfn
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Stack with id Tollgate does not exist'), { name: 'ValidationError' }),
      );
    // Act + Assert
    await expect(serve()).rejects.toThrow(
      'cannot read stack Tollgate: Stack with id Tollgate does not exist',
    );
  });
});
