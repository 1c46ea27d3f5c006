import type { StoredLedgerEntry } from '../functions/shared/ports/ledger.js';
import { parseJson } from './run-event.js';

/** One row of the runs list, in the console and `tollgate runs`. Times are epoch milliseconds. */
export interface RunSummary {
  readonly name: string;
  /** The run's short number in its pipeline (`#42`, model/run-number.ts). */
  readonly number: number;
  readonly executionArn: string;
  readonly status: string;
  readonly startDate: number;
  readonly stopDate: number | null;
  readonly commit: string | null;
  readonly author: string | null;
  readonly branch: string | null;
  readonly message: string | null;
  readonly release: string | null;
  /** How far the release got: the last environment promoted, or where it failed or is now. */
  readonly reached: {
    readonly environment: string;
    readonly outcome: 'promoted' | 'failed' | 'running';
  } | null;
  readonly error: string | null;
}

export interface CommitInfo {
  readonly commit: string | null;
  readonly author: string | null;
  readonly branch: string | null;
  readonly message: string | null;
}

const NO_COMMIT: CommitInfo = { commit: null, author: null, branch: null, message: null };
const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null);

/**
 * The commit a run was started for, read from its input: Tollgate's own "Commit Pushed" event or
 * CodeCommit's reference change (which names no author; the ledger fills that in later).
 */
export function commitFromInput(inputText: unknown): CommitInfo {
  // biome-ignore lint/suspicious/noExplicitAny: the run input is untyped JSON; each field is checked where read
  const event = parseJson(inputText) as Record<string, any> | undefined;
  const detail = event?.detail;
  if (!detail || typeof detail !== 'object') return NO_COMMIT;
  if (event?.source === 'aws.codecommit') {
    return { commit: str(detail.commitId), author: null, branch: str(detail.referenceName), message: null };
  }
  const author = detail.author && typeof detail.author === 'object' ? str(detail.author.name) : null;
  return { commit: str(detail.commit), author, branch: str(detail.branch), message: str(detail.message) };
}

/** What the ledger knows about each run: its release, where it was promoted, where it failed. */
export interface LedgerRunFacts {
  readonly release?: string;
  readonly promoted: string[];
  readonly failedIn?: string;
  readonly author?: string;
  readonly message?: string;
  readonly branch?: string;
}

export const RUN_FACT_KINDS = ['release', 'promotion', 'rollback', 'deploy-failed', 'run-summary'] as const;

export function ledgerRunFacts(entries: readonly StoredLedgerEntry[]): Map<string, LedgerRunFacts> {
  const facts = new Map<
    string,
    {
      release?: string;
      promoted: string[];
      failedIn?: string;
      author?: string;
      message?: string;
      branch?: string;
    }
  >();
  for (const entry of entries) {
    if (!entry.executionArn) continue;
    let f = facts.get(entry.executionArn);
    if (!f) {
      f = { promoted: [] };
      facts.set(entry.executionArn, f);
    }
    if (entry.releaseVersion && !f.release) f.release = entry.releaseVersion;
    if (entry.kind === 'promotion' && entry.environment) f.promoted.push(entry.environment);
    if ((entry.kind === 'rollback' || entry.kind === 'deploy-failed') && entry.environment)
      f.failedIn = entry.environment;
    if (entry.kind === 'run-summary') {
      if (entry.environment && entry.data.status === 'FAILED') f.failedIn = entry.environment;
      const author = entry.data.author as { name?: unknown } | undefined;
      if (author && typeof author.name === 'string') f.author = author.name;
      if (typeof entry.data.message === 'string') f.message = entry.data.message;
      if (typeof entry.data.branch === 'string') f.branch = entry.data.branch;
    }
  }
  return facts;
}

/** The environment a failed run's cause names (the pipeline's failure object), if any. */
export function failedEnvironmentFromCause(cause: unknown): string | null {
  const parsed = parseJson(cause) as { environment?: unknown } | undefined;
  return parsed && typeof parsed.environment === 'string' ? parsed.environment : null;
}

export function reachedEnvironment(
  order: readonly string[],
  status: string,
  facts: LedgerRunFacts | undefined,
  failedIn: string | null,
  current: string | null,
): RunSummary['reached'] {
  if (status !== 'RUNNING' && status !== 'SUCCEEDED' && (failedIn ?? facts?.failedIn)) {
    return { environment: (failedIn ?? facts?.failedIn) as string, outcome: 'failed' };
  }
  if (status === 'RUNNING' && current) return { environment: current, outcome: 'running' };
  const promoted = facts?.promoted ?? [];
  let best: string | null = null;
  for (const env of promoted) if (best === null || order.indexOf(env) > order.indexOf(best)) best = env;
  return best ? { environment: best, outcome: 'promoted' } : null;
}
