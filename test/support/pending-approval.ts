import type { ApprovalRecord } from '../../functions/shared/ports/approval-store.js';
import type { LocalPipeline } from './local-pipeline.js';

export interface UntilPendingOptions {
  /** Only this run's approvals; any run's when absent. */
  readonly executionArn?: string;
  /**
   * How far ahead a timer may be for the wait to move the clock to it. Short by default, so the
   * approval's own timeout (hours away) never fires while the test waits for the gate to open; a
   * pipeline that refreshes data needs an hour, for its storage polls.
   */
  readonly horizonMs?: number;
}

/**
 * Runs the local pipeline until an approval is pending, moving its clock from timer to timer (Waits,
 * polls), and returns the pending approvals. The short real pauses only let the engine's own
 * promises run; no test time passes in them.
 */
export async function untilPending(
  pipeline: LocalPipeline,
  { executionArn, horizonMs = 60_000 }: UntilPendingOptions = {},
): Promise<[ApprovalRecord, ...ApprovalRecord[]]> {
  // 2,400 pauses of 25 ms: a minute of real time for the I/O (PGlite, child processes) to happen.
  for (let i = 0; i < 2_400; i++) {
    const [first, ...rest] = await pipeline.runner.ports.approvals.listPending(
      executionArn ? { executionArn } : undefined,
    );
    if (first) return [first, ...rest];
    const next = pipeline.clock.nextTimerAt();
    if (next !== undefined && next - pipeline.clock.now() <= horizonMs) pipeline.clock.advanceTo(next);
    await new Promise((resume) => setTimeout(resume, 25));
  }
  throw new Error(`no approval became pending${executionArn ? ` for ${executionArn}` : ''}`);
}
