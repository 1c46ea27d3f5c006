import type { Clock } from '../shared/clock.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { RecordRunInput } from './input.js';

/**
 * record-run: the last word of every run in the ledger, so the audit trail has a line per commit
 * even after the Step Functions history has expired.
 *
 * Input:  { executionArn, stateName, pipeline, status: 'SUCCEEDED'|'FAILED'|'SKIPPED', commit,
 *           release?, environments?, failure?: { stage, environment, error, cause }, skip?: { reason, detail } }
 * Output: { seq, created }
 */
export async function recordRun(input: RecordRunInput, ports: { ledger: Ledger; clock: Clock }) {
  const reached = (input.environments ?? []).map((e) => e.environment).filter(Boolean);
  return ports.ledger.append({
    kind: input.status === 'SKIPPED' ? 'run-skipped' : 'run-summary',
    pipeline: input.pipeline,
    at: ports.clock.now().toISOString(),
    executionArn: input.executionArn,
    ...(input.release ? { releaseVersion: input.release.version } : {}),
    ...(typeof input.failure?.environment === 'string' ? { environment: input.failure.environment } : {}),
    actor: 'tollgate',
    data: {
      status: input.status,
      commit: input.commit.commit,
      branch: input.commit.branch,
      author: input.commit.author,
      message: input.commit.message,
      ...(input.release ? { release: input.release.version, digest: input.release.digest } : {}),
      environmentsReached: reached,
      ...(input.failure ? { failure: input.failure } : {}),
      ...(input.skip ? { skip: input.skip } : {}),
    },
    idempotencyKey: `${input.executionArn}#${input.stateName}`,
  });
}
