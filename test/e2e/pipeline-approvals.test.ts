import { afterEach, describe, expect, it } from 'vitest';
import { createHandler as approveHandler } from '../../functions/approve/handler.js';
import { createLocalPipeline, type LocalPipeline } from '../support/local-pipeline.js';
import { untilPending } from '../support/pending-approval.js';

let pipeline: LocalPipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

/** Drives the run (real I/O; time skips only Wait states) until it waits at an approval gate. */
const status = async (p: LocalPipeline, executionArn: string) =>
  (await p.call('DescribeExecution', { executionArn })).status as string;

describe('the approval gate on the local engine', () => {
  it('ends the run as rejected, with who and why, when an approver rejects', async () => {
    // Arrange
    pipeline = await createLocalPipeline({ approval: true });
    const run = await pipeline.start(pipeline.repo.commit('risky', { 'A.md': 'a\n' }));
    const pending = (await untilPending(pipeline, { executionArn: run }))[0];
    // Act
    await approveHandler(async () => pipeline!.runner.ports)({
      approvalId: pending.id,
      decision: 'reject',
      comment: 'not on a Friday',
      caller: 'ben',
    });
    const result = await pipeline.finish(run);
    // Assert
    expect(result).toMatchObject({ status: 'FAILED', error: 'Tollgate.ApprovalRejected' });
    expect(JSON.parse(result.cause!)).toMatchObject({ stage: 'approval', environment: 'prod' });
    expect(result.cause).toContain('not on a Friday');
    const prod = await pipeline.runner.ports.ledger.query({ environment: 'prod', kinds: ['promotion'] });
    expect(prod).toEqual([]);
  });

  it('leaves the run waiting when a refused person tries to approve, and records the refusal', async () => {
    // Arrange
    pipeline = await createLocalPipeline({ approval: true });
    const run = await pipeline.start(pipeline.repo.commit('change', { 'B.md': 'b\n' }));
    const pending = (await untilPending(pipeline, { executionArn: run }))[0];
    const approve = approveHandler(async () => pipeline!.runner.ports);
    // Act
    const refused = approve({ approvalId: pending.id, decision: 'approve', comment: '', caller: 'mallory' });
    // Assert
    await expect(refused).rejects.toMatchObject({ name: 'Tollgate.ApprovalRefused' });
    expect(await status(pipeline, run)).toBe('RUNNING');
    const refusals = await pipeline.runner.ports.ledger.query({ kinds: ['approval-refused'] });
    expect(refusals).toHaveLength(1);
    expect(refusals[0]!.actor).toBe('mallory');
  });

  it('ends the run as rejected: expired when nobody decides within the timeout, visible in history and ledger', async () => {
    // Arrange
    pipeline = await createLocalPipeline({ approval: true });
    const run = await pipeline.start(pipeline.repo.commit('slow review', { 'C.md': 'c\n' }));
    await untilPending(pipeline, { executionArn: run });
    // Act
    pipeline.clock.advance(24 * 3600 * 1000 + 1000);
    const result = await pipeline.finish(run);
    // Assert
    expect(result).toMatchObject({ status: 'FAILED', error: 'Tollgate.ApprovalExpired' });
    expect(JSON.parse(result.cause!).cause).toMatch(/^rejected: expired \(no decision within 86400s\)/);
    const history = await pipeline.call('GetExecutionHistory', { executionArn: run, maxResults: 1000 });
    expect(history.events.map((e: { type: string }) => e.type)).toContain('TaskTimedOut');
    const decisions = await pipeline.runner.ports.ledger.query({ kinds: ['approval-decision'] });
    expect(decisions.map((d) => d.data.decision)).toEqual(['expired']);
  });

  it('cancels a waiting approval when a newer commit supersedes the run, so the old commit cannot be approved', async () => {
    // Arrange
    pipeline = await createLocalPipeline({ approval: true, concurrency: 'superseded' });
    const first = await pipeline.start(pipeline.repo.commit('first', { 'D.md': 'd1\n' }));
    const stale = (await untilPending(pipeline, { executionArn: first }))[0];
    // Act
    const second = await pipeline.start(pipeline.repo.commit('second', { 'D.md': 'd2\n' }));
    const firstResult = await pipeline.finish(first);
    const fresh = (await untilPending(pipeline, { executionArn: second }))[0];
    const lateVote = approveHandler(async () => pipeline!.runner.ports)({
      approvalId: stale.id,
      decision: 'approve',
      comment: '',
      caller: 'ana',
    });
    // Assert
    expect(firstResult).toMatchObject({ status: 'FAILED', error: 'Tollgate.ApprovalCancelled' });
    await expect(lateVote).rejects.toMatchObject({ name: 'Tollgate.ApprovalRefused' });
    expect(fresh.id).not.toBe(stale.id);
    const cancelled = await pipeline.runner.ports.ledger.query({ kinds: ['approval-cancelled'] });
    expect(cancelled[0]!.data.reason).toMatch(/superseded by commit/);
  });

  it('refuses a vote once the run has ended, saying how it ended, and closes the approval and its token', async () => {
    // Arrange
    pipeline = await createLocalPipeline({ approval: true });
    const run = await pipeline.start(pipeline.repo.commit('stopped', { 'E.md': 'e\n' }));
    const pending = (await untilPending(pipeline, { executionArn: run }))[0];
    await pipeline.call('StopExecution', { executionArn: run, error: 'Manual', cause: 'stopped by ops' });
    const approve = approveHandler(async () => pipeline!.runner.ports);
    // Act
    const first = approve({ approvalId: pending.id, decision: 'approve', comment: '', caller: 'ana' });
    // Assert
    const error = await first.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toMatchObject({ name: 'Tollgate.ApprovalRefused' });
    expect(error!.message).toMatch(
      /^refused \(run-ended\): run \S+ ended ABORTED at \d\d:\d\d UTC; its approval for prod is closed$/,
    );
    const record = await pipeline.runner.ports.approvals.get(pending.id);
    expect(record).toMatchObject({
      status: 'closed',
      votes: [],
      closeReason: expect.stringMatching(/ended ABORTED/),
    });
    expect(await pipeline.runner.ports.approvals.readToken(pending.id)).toBeUndefined();
    const closed = await pipeline.runner.ports.ledger.query({ kinds: ['approval-closed'] });
    expect(closed).toHaveLength(1);
    expect(closed[0]!.data).toMatchObject({ approvalId: pending.id, run: { status: 'ABORTED' } });
    const again = approve({ approvalId: pending.id, decision: 'approve', comment: '', caller: 'ben' });
    await expect(again).rejects.toThrow(
      /^refused \(not-pending\): approval \S+ is already closed: run \S+ ended ABORTED/,
    );
    expect(await status(pipeline, run)).toBe('ABORTED');
  });
});
