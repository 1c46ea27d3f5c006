import type { Clock } from '../../functions/shared/clock.js';
import type { Ledger } from '../../functions/shared/ports/ledger.js';
import {
  type CommitInfo,
  commitFromInput,
  failedEnvironmentFromCause,
  type LedgerRunFacts,
  ledgerRunFacts,
  RUN_FACT_KINDS,
  type RunSummary,
  reachedEnvironment,
} from '../../model/run-summary.js';
import { compareRuns, decodeCursor, encodeCursor } from './cursor.js';
import { BadRequestError } from './errors.js';
import { isEmptySearch, matchesSearch, parseRunSearch, type RunSearchQuery } from './run-search.js';
import { callSfn, type ExecutionDescription, type ExecutionListItem, type SfnApi, toMs } from './sfn-api.js';

const RUN_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;
const TERMINAL_EVENTS: Readonly<Record<string, string>> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionAborted: 'ABORTED',
  ExecutionTimedOut: 'TIMED_OUT',
};
const MAX_LIMIT = 200;
const DESCRIBE_CONCURRENCY = 16;

export interface RunQuery extends RunSearchQuery {
  readonly status?: string;
  readonly branch?: string;
  readonly environment?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

export interface RunPage {
  readonly runs: RunSummary[];
  readonly nextCursor: string | null;
  /** Runs matching the filters, across all pages. */
  readonly total: number;
  readonly branches: string[];
}

/** An engine history event as the local engine publishes it live (timestamp in epoch ms). */
export interface LiveEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly [details: string]: unknown;
}

interface IndexedRun {
  readonly executionArn: string;
  readonly name: string;
  status: string;
  startDate: number;
  stopDate: number | null;
  commit: CommitInfo;
  failedIn: string | null;
  current: string | null;
  error: string | null;
  /** A Map iteration just started: the next state entered carries its item (the environment). */
  iterationStarting?: boolean;
}

export interface RunIndexOptions {
  readonly sfn: SfnApi;
  readonly ledger: Pick<Ledger, 'query'>;
  readonly stateMachineArn: string;
  readonly environments: readonly string[];
  readonly clock: Clock;
  /** True when live events keep the index current; otherwise it re-lists when older than pollMs. */
  readonly live: boolean;
  readonly pollMs?: number;
}

/**
 * The runs list, kept in memory so a page of 10,000 runs costs a filter and a slice, not 10,000
 * DescribeExecution calls. Each execution is described once (its input, hence its commit, never
 * changes); after that live engine events, or a re-list when the index is stale, keep it current.
 */
export class RunIndex {
  private readonly byArn = new Map<string, IndexedRun>();
  private sorted: IndexedRun[] = [];
  private facts = new Map<string, LedgerRunFacts>();
  private factsStale = true;
  private loadedAt: number | null = null;
  private loading: Promise<void> | null = null;
  private readonly listeners = new Set<(run: RunSummary) => void>();
  private readonly executionPrefix: string;

  constructor(private readonly options: RunIndexOptions) {
    this.executionPrefix = `${options.stateMachineArn.replace(':stateMachine:', ':execution:')}:`;
  }

  subscribe(listener: (run: RunSummary) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  executionArnOf(name: string): string {
    return `${this.executionPrefix}${name}`;
  }

  async list(query: RunQuery): Promise<RunPage> {
    const status = query.status || undefined;
    if (status && !(RUN_STATUSES as readonly string[]).includes(status)) {
      throw new BadRequestError(
        `status must be one of ${RUN_STATUSES.join(', ')}, got ${JSON.stringify(status)}`,
      );
    }
    const environment = query.environment || undefined;
    if (environment && !this.options.environments.includes(environment)) {
      throw new BadRequestError(
        `environment must be one of ${this.options.environments.join(', ')}, got ${JSON.stringify(environment)}`,
      );
    }
    const branch = query.branch || undefined;
    if (branch !== undefined && branch.length > 256)
      throw new BadRequestError('branch must be at most 256 characters');
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new BadRequestError(`limit must be an integer from 1 to ${MAX_LIMIT}`);
    }
    const search = parseRunSearch(query);
    const searching = !isEmptySearch(search);
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    await this.refresh();
    const start = after ? this.firstAfter(after) : 0;
    const runs: RunSummary[] = [];
    let total = 0;
    let last: IndexedRun | null = null;
    let more = false;
    for (let i = 0; i < this.sorted.length; i++) {
      const run = this.sorted[i];
      if (status && run.status !== status) continue;
      if (branch && this.branchOf(run) !== branch) continue;
      const summary = environment || searching || i >= start ? this.summarise(run, i) : null;
      if (environment && summary?.reached?.environment !== environment) continue;
      if (searching && !matchesSearch(summary!, search)) continue;
      total += 1;
      if (i < start) continue;
      if (runs.length < limit) {
        runs.push(summary ?? this.summarise(run, i));
        last = run;
      } else more = true;
    }
    const branches = [
      ...new Set(this.sorted.map((r) => this.branchOf(r)).filter((b): b is string => !!b)),
    ].sort();
    return { runs, nextCursor: more && last ? encodeCursor(last) : null, total, branches };
  }

  /** The summary of one run, describing it if the index has not seen it yet. */
  async get(name: string): Promise<RunSummary | null> {
    await this.refresh();
    const run = this.byArn.get(this.executionArnOf(name));
    return run ? this.summarise(run) : null;
  }

  /** Follows the engine live: new runs, status changes and the environment a run is in. */
  applyEvent(executionArn: string, event: LiveEvent): void {
    if (!executionArn.startsWith(this.executionPrefix)) return;
    this.factsStale = true;
    let run = this.byArn.get(executionArn);
    if (event.type === 'ExecutionStarted') {
      if (run) return;
      const details = event.executionStartedEventDetails as { input?: string } | undefined;
      run = {
        executionArn,
        name: executionArn.slice(this.executionPrefix.length),
        status: 'RUNNING',
        startDate: event.timestamp,
        stopDate: null,
        commit: commitFromInput(details?.input),
        failedIn: null,
        current: null,
        error: null,
      };
      this.insert(run);
      this.emit(run);
      return;
    }
    if (!run) return;
    const terminal = TERMINAL_EVENTS[event.type];
    if (terminal) {
      const details = (event.executionFailedEventDetails ?? event.executionTimedOutEventDetails) as
        | { error?: string; cause?: string }
        | undefined;
      run.status = terminal;
      run.stopDate = event.timestamp;
      run.error = details?.error ?? null;
      run.failedIn = failedEnvironmentFromCause(details?.cause);
      this.emit(run);
    } else if (event.type === 'ExecutionRedriven') {
      run.status = 'RUNNING';
      run.stopDate = null;
      run.error = null;
      run.failedIn = null;
      this.emit(run);
    } else if (event.type === 'MapIterationStarted') {
      run.iterationStarting = true;
    } else if (run.iterationStarting && event.type.endsWith('StateEntered')) {
      run.iterationStarting = false;
      const details = event.stateEnteredEventDetails as { input?: string } | undefined;
      const env = environmentOfInput(details?.input, this.options.environments);
      if (env && env !== run.current) {
        run.current = env;
        this.emit(run);
      }
    }
  }

  private async refresh(): Promise<void> {
    const now = this.options.clock.now().getTime();
    const stale =
      this.loadedAt === null || (!this.options.live && now - this.loadedAt >= (this.options.pollMs ?? 3000));
    if (!stale && !this.factsStale) return;
    this.loading ??= (async () => {
      try {
        if (stale) await this.relist(this.loadedAt === null);
        if (this.factsStale || stale) {
          this.factsStale = false;
          this.facts = ledgerRunFacts(await this.options.ledger.query({ kinds: [...RUN_FACT_KINDS] }));
        }
        this.loadedAt = now;
      } finally {
        this.loading = null;
      }
    })();
    await this.loading;
  }

  /** Lists newest first; after the first load it stops at the first page with nothing new. */
  private async relist(full: boolean): Promise<void> {
    const unseen: Array<Pick<ExecutionListItem, 'executionArn'>> = [];
    const seen = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await callSfn<{ executions: ExecutionListItem[]; nextToken?: string }>(
        this.options.sfn,
        'ListExecutions',
        {
          stateMachineArn: this.options.stateMachineArn,
          maxResults: 1000,
          ...(nextToken ? { nextToken } : {}),
        },
      );
      let changed = false;
      for (const item of page.executions) {
        seen.add(item.executionArn);
        const known = this.byArn.get(item.executionArn);
        if (!known) {
          unseen.push(item);
          changed = true;
        } else if (known.status !== item.status) {
          unseen.push(item);
          changed = true;
        }
      }
      nextToken = full || changed ? page.nextToken : undefined;
    } while (nextToken);
    // Runs that were running but fell outside the pages listed may have finished since.
    for (const run of this.byArn.values()) {
      if (run.status === 'RUNNING' && !seen.has(run.executionArn)) unseen.push(run);
    }
    await forEachLimited(unseen, DESCRIBE_CONCURRENCY, async (item) => {
      const d = await callSfn<ExecutionDescription>(this.options.sfn, 'DescribeExecution', {
        executionArn: item.executionArn,
      });
      const existing = this.byArn.get(d.executionArn);
      const fresh: IndexedRun = {
        executionArn: d.executionArn,
        name: d.name,
        status: d.status,
        startDate: toMs(d.startDate) ?? 0,
        stopDate: toMs(d.stopDate) ?? null,
        commit: existing?.commit ?? commitFromInput(d.input),
        failedIn: failedEnvironmentFromCause(d.cause),
        current: existing?.current ?? null,
        error: d.error ?? null,
      };
      if (existing) {
        Object.assign(existing, fresh);
        this.emit(existing);
      } else {
        this.insert(fresh);
        if (!full) this.emit(fresh);
      }
    });
  }

  private insert(run: IndexedRun): void {
    this.byArn.set(run.executionArn, run);
    const at = this.firstAfter(run, true);
    this.sorted.splice(at, 0, run);
  }

  /** Index of the first run that sorts after `key` (binary search over the sorted list). */
  private firstAfter(key: { startDate: number; name: string }, inclusive = false): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = compareRuns(this.sorted[mid], key);
      if (c < 0 || (!inclusive && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private branchOf(run: IndexedRun): string | null {
    return run.commit.branch ?? this.facts.get(run.executionArn)?.branch ?? null;
  }

  /** Runs oldest first are #1, #2…: the sorted list is newest first, so count from its end. */
  private numberOf(run: IndexedRun, at?: number): number {
    return this.sorted.length - (at ?? this.firstAfter(run, true));
  }

  /** The run with this short number, if the index holds it. */
  async byNumber(n: number): Promise<RunSummary | null> {
    await this.refresh();
    const at = this.sorted.length - n;
    return at >= 0 && at < this.sorted.length ? this.summarise(this.sorted[at]!, at) : null;
  }

  /** Runs still open, newest first, and the numbers of every run (the delivery board). */
  async open(): Promise<{ runs: RunSummary[]; numberOf: (name: string) => number | null }> {
    await this.refresh();
    const runs: RunSummary[] = [];
    this.sorted.forEach((run, i) => {
      if (run.status === 'RUNNING') runs.push(this.summarise(run, i));
    });
    const numberOf = (name: string) => {
      const run = this.byArn.get(this.executionArnOf(name));
      return run ? this.numberOf(run) : null;
    };
    return { runs, numberOf };
  }

  /** The last `count` runs that have ended, newest first (the stage-duration chart). */
  async finished(count: number): Promise<RunSummary[]> {
    await this.refresh();
    const runs: RunSummary[] = [];
    for (let i = 0; i < this.sorted.length && runs.length < count; i++) {
      if (this.sorted[i]!.status !== 'RUNNING') runs.push(this.summarise(this.sorted[i]!, i));
    }
    return runs;
  }

  private summarise(run: IndexedRun, at?: number): RunSummary {
    const facts = this.facts.get(run.executionArn);
    return {
      name: run.name,
      number: this.numberOf(run, at),
      executionArn: run.executionArn,
      status: run.status,
      startDate: run.startDate,
      stopDate: run.stopDate,
      commit: run.commit.commit,
      author: run.commit.author ?? facts?.author ?? null,
      branch: this.branchOf(run),
      message: run.commit.message ?? facts?.message ?? null,
      release: facts?.release ?? null,
      reached: reachedEnvironment(this.options.environments, run.status, facts, run.failedIn, run.current),
      error: run.error,
    };
  }

  private emit(run: IndexedRun): void {
    const summary = this.summarise(run);
    for (const listener of this.listeners) {
      try {
        listener(summary);
      } catch {
        // One broken subscriber (a closed SSE socket) must not stop the others.
      }
    }
  }
}

/** The environment an iteration works on: its item names one of the configured environments. */
function environmentOfInput(input: unknown, environments: readonly string[]): string | null {
  if (typeof input !== 'string') return null;
  try {
    const name = (JSON.parse(input) as { name?: unknown } | null)?.name;
    return typeof name === 'string' && environments.includes(name) ? name : null;
  } catch {
    return null;
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
