import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler as approveHandler } from '../../../../functions/approve/handler.js';
import { createHandler as requestHandler } from '../../../../functions/request-approval/handler.js';
import { localApprovalPorts, PIPELINE, storeRelease } from './request-approval-fixture.js';

const TOKEN = 'AAAAKgAAAAIAAAAAAAAAAZ-leak-canary-3b1f9e0c7d';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('approval token handling', () => {
  const level = process.env.TOLLGATE_LOG_LEVEL;
  beforeEach(() => {
    // The scan is only worth something if the handlers log everything they would log at most.
    process.env.TOLLGATE_LOG_LEVEL = 'DEBUG';
  });
  afterEach(() => {
    process.env.TOLLGATE_LOG_LEVEL = level;
    vi.restoreAllMocks();
  });

  it('keeps the task token out of logs, the ledger, readable records, the inbox and every return value', async () => {
    // Arrange
    const { ports, dir, callback } = localApprovalPorts();
    const release = await storeRelease(ports, 1, ['0001_create.sql']);
    const logged: string[] = [];
    const capture = (chunk: unknown) => {
      logged.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const request = requestHandler(async () => ports);
    const decide = approveHandler(async () => ports);
    // Act
    const returned: unknown[] = [];
    const requested = await request({
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:orders-service:run-1',
      stateName: 'ApprovalGate',
      pipeline: PIPELINE,
      environment: 'prod',
      release,
      commit: {
        repository: 'orders-service',
        branch: 'main',
        commit: release.commit,
        author: { name: 'alice', email: 'alice@example.com' },
        message: 'change',
        timestamp: '2026-01-01T00:00:00.000Z',
      },
      approval: {
        approvers: ['bob', 'carol'],
        minApprovals: 1,
        timeoutSeconds: 3600,
        allowSelfApproval: false,
      },
      previousEnvironment: null,
      taskToken: TOKEN,
    });
    returned.push(requested);
    returned.push(
      await decide({ approvalId: requested.approvalId, decision: 'approve', caller: 'mallory' }).catch(
        (e: Error) => e.message,
      ),
    );
    returned.push(
      await decide({ approvalId: requested.approvalId, decision: 'approve', caller: 'bob', comment: 'ok' }),
    );
    returned.push(await ports.approvals.get(requested.approvalId));
    returned.push(await ports.approvals.listPending());
    returned.push(await ports.ledger.query());
    vi.restoreAllMocks();
    // Assert
    expect(callback.calls.map((c) => c.token)).toEqual([TOKEN]); // the token did reach the run
    expect(logged.join('').length).toBeGreaterThan(0);
    expect(logged.join('')).not.toContain(TOKEN);
    expect(JSON.stringify(returned)).not.toContain(TOKEN);
    const readable = filesUnder(dir).filter((f) => !f.includes(`${join('approvals', 'tokens')}`));
    expect(readable.some((f) => f.includes(join('ledger')))).toBe(true);
    expect(readable.some((f) => f.includes(join('inbox')))).toBe(true);
    expect(readable.some((f) => f.includes(join('approvals', 'records')))).toBe(true);
    for (const file of readable) expect(readFileSync(file, 'latin1'), file).not.toContain(TOKEN);
  });

  it('stores the token readable by the owner only while the approval is pending', async () => {
    // Arrange
    const { ports, dir } = localApprovalPorts();
    const release = await storeRelease(ports, 1, ['0001_create.sql']);
    const request = requestHandler(async () => ports);
    // Act
    const { approvalId } = await request({
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:orders-service:run-2',
      stateName: 'ApprovalGate',
      pipeline: PIPELINE,
      environment: 'prod',
      release,
      commit: {
        repository: 'orders-service',
        branch: 'main',
        commit: release.commit,
        author: { name: 'alice', email: 'alice@example.com' },
        message: 'change',
        timestamp: '2026-01-01T00:00:00.000Z',
      },
      taskToken: TOKEN,
    });
    // Assert
    const tokenFile = join(dir, 'approvals', 'tokens', approvalId);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'approvals', 'tokens')).mode & 0o777).toBe(0o700);
    expect(readFileSync(tokenFile, 'utf8')).toBe(TOKEN);
  });
});
