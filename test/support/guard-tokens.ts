import type { GuardResult } from '../../functions/concurrency-guard/guard-contract.js';
import { ApprovalCallbackError } from '../../functions/shared/approvals/errors.js';
import type { RunState, TaskCallback } from '../../functions/shared/ports/task-callback.js';

/**
 * Step Functions' side of the task tokens in the guard's unit tests and burst driver, where no engine runs: it
 * issues a token per WaitForLock, takes each SendTaskSuccess once (a second one, or one for a run
 * that ended, is refused as AWS refuses it, TaskTimedOut) and answers DescribeExecution for the
 * runs. What it does not model: task timeouts (no run sleeps past its wake-up in a burst) and
 * SendTaskFailure beyond recording it. The pipeline tests wake runs through the real engine.
 */
export class GuardTokens implements TaskCallback {
  /** Wake-ups delivered. */
  sent = 0;
  private next = 0;
  private readonly tokens = new Map<string, { arn: string; answer?: Record<string, unknown> }>();
  private readonly latest = new Map<string, string>();
  private readonly ended = new Set<string>();

  issue(executionArn: string): string {
    const token = `burst-token-${this.next++}`;
    this.tokens.set(token, { arn: executionArn });
    this.latest.set(executionArn, token);
    return token;
  }

  /** What the run's latest WaitForLock task was answered, if anything yet. */
  answered(executionArn: string): GuardResult | undefined {
    const token = this.latest.get(executionArn);
    return token ? (this.tokens.get(token)?.answer as GuardResult | undefined) : undefined;
  }

  runEnded(executionArn: string): void {
    this.ended.add(executionArn);
  }

  async sendSuccess(token: string, output: Record<string, unknown>): Promise<void> {
    const task = this.tokens.get(token);
    if (!task || task.answer || this.ended.has(task.arn)) {
      throw new ApprovalCallbackError('timed-out', 'the run is no longer waiting');
    }
    task.answer = output;
    this.sent++;
  }

  async sendFailure(token: string, error: string, cause: string): Promise<void> {
    await this.sendSuccess(token, { error, cause });
  }

  async runState(executionArn: string): Promise<RunState> {
    return this.ended.has(executionArn) ? { status: 'SUCCEEDED' } : { status: 'RUNNING' };
  }
}
