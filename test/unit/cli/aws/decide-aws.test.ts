import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../../cli/program.js';
import { LOCAL_REGION, readCredentials } from '../../../../runtime/server/credentials.js';
import { startAwsStack } from './aws-stack-fixture.js';

const CAROL = 'arn:aws:iam::123456789012:user/carol';

/**
 * `tollgate approve|reject --aws` through the real command line entry. The CLI builds its own SDK
 * clients from the environment, as it does for a user: AWS_ENDPOINT_URL_SFN points the unmodified
 * SFNClient at Tollgate's engine, and the engine's key stands for carol's credentials.
 */
describe('tollgate approve --aws', () => {
  let stack: Awaited<ReturnType<typeof startAwsStack>>;
  let out: string[];
  let err: string[];
  const run = (...argv: string[]) => main([...argv, '--aws', '--stack', 'Tollgate']);

  beforeEach(async () => {
    stack = await startAwsStack({ engineKeyIs: CAROL });
    const keys = readCredentials(stack.engineDir);
    vi.stubEnv('AWS_ENDPOINT_URL_SFN', stack.engine.endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', keys.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', keys.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_REGION', LOCAL_REGION);
    out = [];
    err = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    process.exitCode = undefined;
    await stack.close();
  });

  it('approves as the signing identity, and the run resumes', async () => {
    // Arrange
    const gate = await stack.runAtGate(['carol']);
    // Act
    const code = await run('approve', 'run-1', '--comment', 'checked the migration');
    // Assert
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    expect(out.join('')).toBe('approved run-1 for prod; the run continues into prod\n');
    expect(stack.fn.calls).toEqual([CAROL]);
    expect(await stack.finished(gate.executionArn)).toBe('SUCCEEDED');
  });

  it('reports the refusal of someone not on the approvers list in one line, and the run keeps waiting', async () => {
    // Arrange: the approval lists bob only; the CLI signs as carol
    const gate = await stack.runAtGate();
    // Act
    const code = await run('approve', 'run-1');
    // Assert
    expect(code).toBe(1);
    expect(err.join('')).toBe(`tollgate: ${CAROL} is not on the approvers list of prod (not-an-approver)\n`);
    expect((await stack.approvals().listPending()).map((a) => a.id)).toEqual([gate.record.id]);
  });

  it('refuses --as with --aws before calling anything', async () => {
    // Act
    const code = await run('approve', 'run-1', '--as', 'bob');
    // Assert
    expect(code).toBe(2);
    expect(err.join('')).toBe(
      'tollgate: --as does not apply with --aws: you decide as the identity your AWS credentials sign as\n',
    );
    expect(stack.fn.calls).toEqual([]);
  });
});
