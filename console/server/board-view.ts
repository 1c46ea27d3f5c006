import { currentRelease, restoredVersion } from '../../functions/shared/ledger/ledger-queries.js';
import type { StoredLedgerEntry } from '../../functions/shared/ports/ledger.js';
import type { RunStateView } from '../../model/run-state.js';
import type { RunSummary } from '../../model/run-summary.js';
import { type ReleaseInfo, releaseInfo } from './ledger-views.js';

/**
 * The delivery board, the console's landing page: one lane per environment in promotion order,
 * each with the release it runs (since when, approved by whom, from which run), its health, and
 * what is on its way to it, in the manner of Kargo's freight view. Pure: the caller reads the
 * ledger, the run index and the state of each open run.
 */
type LaneHealth = 'healthy' | 'rolled-back' | 'failed' | 'empty';

interface IncomingRun {
  readonly name: string;
  readonly number: number;
  /** running: working in this environment (or building, in the first lane); waiting: at its gate. */
  readonly state: 'queued' | 'running' | 'waiting';
  readonly stage: string | null;
  readonly approvers: readonly string[];
  readonly commit: string | null;
  readonly message: string | null;
  readonly author: string | null;
  readonly release: string | null;
  readonly startDate: number;
}

export interface BoardLane {
  readonly environment: string;
  readonly current: {
    readonly version: string;
    readonly since: string;
    readonly approvedBy: readonly string[];
    readonly via: 'promotion' | 'rollback';
    readonly run: string | null;
    readonly runNumber: number | null;
    readonly release: ReleaseInfo | null;
  } | null;
  /** The release the environment ran before its current one: what "Roll back" deploys again. */
  readonly previous: string | null;
  readonly health: LaneHealth;
  /** The last failed deployment here, when it is the latest thing that happened. */
  readonly lastFailure: {
    readonly at: string;
    readonly version: string | null;
    readonly run: string | null;
  } | null;
  readonly incoming: IncomingRun[];
}

/** An open run and where it is, from the model's run state. */
export interface ActiveRun {
  readonly summary: RunSummary;
  readonly state: RunStateView;
  readonly stage: string | null;
}

export function deliveryBoard(
  entries: readonly StoredLedgerEntry[],
  environments: readonly string[],
  active: readonly ActiveRun[],
  numberOf: (runName: string) => number | null,
): BoardLane[] {
  const first = environments[0];
  return environments.map((environment) => {
    const current = currentRelease(entries, environment);
    const failure = lastOf(entries, environment, FAILURE_KINDS);
    const moved = lastOf(entries, environment, MOVE_KINDS);
    const failedSince = failure && (!moved || failure.seq >= moved.seq) ? failure : null;
    let health: LaneHealth = current ? 'healthy' : 'empty';
    // A failure since the last promotion: the rollback kept or put back an older release, or left none.
    if (current?.via === 'rollback' || (failedSince && current)) health = 'rolled-back';
    if (failedSince && !current) health = 'failed';
    const runOf = (arn: string | null) => (arn ? (arn.split(':').at(-1) ?? null) : null);
    const run = runOf(current?.executionArn ?? null);
    return {
      environment,
      current: current
        ? {
            version: current.version,
            since: current.since,
            approvedBy: current.approvedBy,
            via: current.via,
            run,
            runNumber: run ? numberOf(run) : null,
            release: withMessage(entries, releaseInfo(entries, current.version)),
          }
        : null,
      previous: current ? previousRelease(entries, environment, current.version) : null,
      health,
      lastFailure: failedSince
        ? {
            at: failedSince.at,
            version: failedSince.releaseVersion ?? null,
            run: runOf(failedSince.executionArn ?? null),
          }
        : null,
      incoming: active
        .filter(({ state }) =>
          // A run not yet in an environment (queued, building) is on its way to the first one.
          state.environment ? state.environment === environment : environment === first,
        )
        .map(({ summary, state, stage }) => ({
          name: summary.name,
          number: summary.number,
          state: state.state === 'queued' || state.state === 'waiting' ? state.state : 'running',
          stage,
          approvers: state.approvers,
          commit: summary.commit,
          message: summary.message,
          author: summary.author,
          release: summary.release,
          startDate: summary.startDate,
        })),
    };
  });
}

/**
 * The last release the environment ran before the one it runs now: read from the end, the newest
 * promotion or restoring rollback there that names another release (a rollback that kept the running
 * release, or a second promotion of it, changes nothing). Two years of ledger are tens of thousands
 * of entries, and the answer is usually a few from the end.
 */
function previousRelease(
  entries: readonly StoredLedgerEntry[],
  environment: string,
  current: string,
): string | null {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.environment !== environment) continue;
    const version =
      e.kind === 'promotion' ? (e.releaseVersion ?? null) : e.kind === 'rollback' ? restoredVersion(e) : null;
    if (version !== null && version !== current) return version;
  }
  return null;
}

const FAILURE_KINDS = new Set(['rollback', 'deploy-failed']);
/** What changes the release an environment runs. */
const MOVE_KINDS = new Set(['promotion', 'rollback']);

/** The newest entry of these kinds in the environment, read from the end (it is usually near it). */
function lastOf(
  entries: readonly StoredLedgerEntry[],
  environment: string,
  kinds: ReadonlySet<string>,
): StoredLedgerEntry | null {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.environment === environment && kinds.has(e.kind)) return e;
  }
  return null;
}

/** The release entry names no commit message; the run that built it recorded one in its summary. */
function withMessage(entries: readonly StoredLedgerEntry[], release: ReleaseInfo | null): ReleaseInfo | null {
  if (!release || release.message || !release.executionArn) return release;
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (
      e.kind === 'run-summary' &&
      e.executionArn === release.executionArn &&
      typeof e.data.message === 'string'
    )
      return { ...release, message: e.data.message };
  }
  return release;
}
