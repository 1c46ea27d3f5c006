import type { StoredLedgerEntry } from '../functions/shared/ports/ledger.js';

/**
 * The four DORA measures per environment, folded from the ledger alone so they outlive the Step
 * Functions history and read the same in the console's charts and `tollgate stats`:
 * - deployment frequency: promotions into the environment;
 * - lead time: the release's commit time (its `release` entry) to its promotion there;
 * - change failure rate: failed deployments (a run's `rollback` or `deploy-failed` entry there) over
 *   all deployments attempted there (promotions + failures);
 * - time to restore: DORA's "failed deployment recovery time", from the first failure of an incident
 *   to the next promotion into that environment (a rollback puts the old release back, but the
 *   change is only recovered from when a good one lands).
 */
export interface DoraOptions {
  /** End of the window, epoch ms (the clock's now). */
  readonly now: number;
  /** Length of the window in days. */
  readonly days: number;
}

interface DoraWeek {
  /** Epoch ms of the week's first instant. */
  readonly start: number;
  readonly deployments: number;
  readonly failures: number;
  readonly leadTimeMedianMs: number | null;
}

interface EnvironmentDora {
  readonly environment: string;
  readonly deployments: number;
  readonly deploymentsPerWeek: number;
  readonly leadTime: {
    readonly medianMs: number | null;
    readonly p90Ms: number | null;
    readonly samples: number;
  };
  readonly failedDeployments: number;
  /** null when nothing was deployed or attempted in the window. */
  readonly changeFailureRate: number | null;
  readonly timeToRestore: { readonly medianMs: number | null; readonly samples: number };
  /** Oldest week first; the last week ends at `now`. */
  readonly weeks: DoraWeek[];
}

export interface DoraReport {
  readonly from: number;
  readonly to: number;
  readonly days: number;
  readonly environments: EnvironmentDora[];
}

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const FAILURE_KINDS = new Set(['rollback', 'deploy-failed']);

export function doraMeasures(
  entries: readonly StoredLedgerEntry[],
  environments: readonly string[],
  options: DoraOptions,
): DoraReport {
  if (!Number.isFinite(options.now)) throw new RangeError('now must be a time in epoch milliseconds');
  if (!Number.isInteger(options.days) || options.days < 1 || options.days > 3660)
    throw new RangeError(`days must be a whole number from 1 to 3660, got ${options.days}`);
  const to = options.now;
  const from = to - options.days * DAY;
  const weekCount = Math.ceil(options.days / 7);
  const commitTimes = new Map<string, number>();
  const perEnv = new Map(environments.map((e) => [e, newTally(weekCount)]));
  for (const entry of entries) {
    if (entry.kind === 'release' && entry.releaseVersion) {
      const t = Date.parse(String(entry.data.commitTime ?? ''));
      if (Number.isFinite(t)) commitTimes.set(entry.releaseVersion, t);
      continue;
    }
    const tally = entry.environment ? perEnv.get(entry.environment) : undefined;
    if (!tally) continue;
    const at = Date.parse(entry.at);
    if (!Number.isFinite(at)) continue;
    if (entry.kind === 'promotion') {
      // A promotion ends the open incident, whenever it was: restore times straddle the window.
      if (tally.incidentSince !== null && at >= from && at <= to)
        tally.restores.push(at - tally.incidentSince);
      tally.incidentSince = null;
      if (at < from || at > to) continue;
      const week = weekOf(at, to, weekCount);
      tally.deployments += 1;
      tally.weeks[week].deployments += 1;
      const committed = entry.releaseVersion ? commitTimes.get(entry.releaseVersion) : undefined;
      if (committed !== undefined && committed <= at) {
        tally.leadTimes.push(at - committed);
        tally.weeks[week].leadTimes.push(at - committed);
      }
    } else if (FAILURE_KINDS.has(entry.kind)) {
      // One failed deployment per run, whether it recorded deploy-failed, rollback or both.
      const key = entry.executionArn ?? `seq:${entry.seq}`;
      if (tally.failedRuns.has(key)) continue;
      tally.failedRuns.add(key);
      tally.incidentSince ??= at;
      if (at < from || at > to) continue;
      tally.failures += 1;
      tally.weeks[weekOf(at, to, weekCount)].failures += 1;
    }
  }
  return {
    from,
    to,
    days: options.days,
    environments: environments.map((environment) => {
      const t = perEnv.get(environment)!;
      const attempted = t.deployments + t.failures;
      const leadTimes = sorted(t.leadTimes);
      const restores = sorted(t.restores);
      return {
        environment,
        deployments: t.deployments,
        deploymentsPerWeek: round2(t.deployments / (options.days / 7)),
        leadTime: {
          medianMs: quantile(leadTimes, 0.5),
          p90Ms: quantile(leadTimes, 0.9),
          samples: leadTimes.length,
        },
        failedDeployments: t.failures,
        changeFailureRate: attempted === 0 ? null : round2(t.failures / attempted),
        timeToRestore: { medianMs: quantile(restores, 0.5), samples: restores.length },
        weeks: t.weeks.map((w, i) => ({
          start: to - (weekCount - i) * WEEK,
          deployments: w.deployments,
          failures: w.failures,
          leadTimeMedianMs: quantile(sorted(w.leadTimes), 0.5),
        })),
      };
    }),
  };
}

interface Tally {
  deployments: number;
  failures: number;
  leadTimes: number[];
  restores: number[];
  failedRuns: Set<string>;
  incidentSince: number | null;
  weeks: Array<{ deployments: number; failures: number; leadTimes: number[] }>;
}

function newTally(weeks: number): Tally {
  return {
    deployments: 0,
    failures: 0,
    leadTimes: [],
    restores: [],
    failedRuns: new Set(),
    incidentSince: null,
    weeks: Array.from({ length: weeks }, () => ({ deployments: 0, failures: 0, leadTimes: [] })),
  };
}

/** Week index, oldest first; the last week ends at `to`. */
function weekOf(at: number, to: number, weekCount: number): number {
  return Math.max(0, weekCount - 1 - Math.floor((to - at) / WEEK));
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Nearest-rank quantile of sorted values. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  return values[Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1))]!;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
