import { runGuard } from '../concurrency-guard/concurrency-guard.js';
import type { GuardPorts } from '../concurrency-guard/guard-contract.js';
import type { TollgateConfig } from '../shared/config/schema.js';

/**
 * release-ended-run: a run that ends without reaching its own ReleaseLock state (stopped by hand,
 * timed out as a whole, or failed where no Catch leads to the release) must not keep the pipeline
 * lock, and the runs queued behind it must not sleep on: releasing hands the lock to the next waiter
 * and wakes it through its task token. On AWS an EventBridge rule on "Step Functions Execution
 * Status Change" invokes this; locally the runtime calls it when the engine reports the execution's
 * end. A run that was only queued has its waiter record taken out.
 *
 * Input:  { executionArn, status }
 * Output: { status: 'RELEASED' | 'NOT_HOLDER' | 'IGNORED' }
 */
export const ENDED_STATUSES = ['ABORTED', 'TIMED_OUT', 'FAILED'] as const;

export interface RunEnded {
  readonly executionArn: string;
  readonly status: string;
}

export interface ReleaseEndedRunPorts extends GuardPorts {
  readonly config: Pick<TollgateConfig, 'name' | 'concurrency'>;
}

export async function releaseEndedRun(
  input: RunEnded,
  ports: ReleaseEndedRunPorts,
): Promise<{ status: 'RELEASED' | 'NOT_HOLDER' | 'IGNORED' }> {
  if (!(ENDED_STATUSES as readonly string[]).includes(input.status)) return { status: 'IGNORED' };
  // Releasing is idempotent: a run that released on its own path answers NOT_HOLDER, one still
  // queued is taken out of the queue, and either way a free lock is handed on.
  const { status } = await runGuard(
    { action: 'release', executionArn: input.executionArn, pipeline: ports.config.name },
    ports,
  );
  return { status: status === 'RELEASED' ? 'RELEASED' : 'NOT_HOLDER' };
}
