import type { StoredLedgerEntry } from '../ports/ledger.js';

/**
 * The auditor's questions, answered by folding over ledger entries in append order. They take the
 * entries rather than a Ledger so the console, the CLI and request-approval share them whatever
 * adapter read the entries, and so a bench can time the fold alone.
 */
export interface CurrentRelease {
  readonly version: string;
  /** When the environment started running it (the promotion, or the rollback that restored it). */
  readonly since: string;
  /** Who approved the promotion that put it there; empty when the environment has no gate. */
  readonly approvedBy: readonly string[];
  /** The run that promoted it. */
  readonly executionArn: string | null;
  readonly via: 'promotion' | 'rollback';
  /** Set when a rollback restored it: the run whose failure caused the rollback. */
  readonly restoredBy?: string | null;
}

export interface PromotionEvent {
  readonly kind: 'promotion' | 'rollback';
  readonly version: string | null;
  readonly at: string;
  readonly executionArn: string | null;
  readonly approvedBy: readonly string[];
  readonly previousVersion: string | null;
  /** For rollbacks: the version that failed and why. */
  readonly failedVersion?: string | null;
  readonly reason?: unknown;
}

export interface ReleaseStory {
  readonly version: string;
  readonly release: StoredLedgerEntry | null;
  readonly entries: readonly StoredLedgerEntry[];
  readonly promotions: ReadonlyArray<{
    readonly environment: string;
    readonly at: string;
    readonly executionArn: string | null;
    readonly approvedBy: readonly string[];
  }>;
  /** Environments that run this release now. */
  readonly currentlyIn: readonly string[];
}

const RESTORING = new Set(['redeployed', 'already-serving']);

/** What is in `environment` now. A rollback changes the answer; a stop empties it. */
export function currentRelease(
  entries: readonly StoredLedgerEntry[],
  environment: string,
): CurrentRelease | null {
  let current: CurrentRelease | null = null;
  walk(entries, environment, (event, promotedBy) => {
    if (event.kind === 'promotion' && event.version) {
      current = {
        version: event.version,
        since: event.at,
        approvedBy: event.approvedBy,
        executionArn: event.executionArn,
        via: 'promotion',
      };
      return;
    }
    const restored = event.version;
    if (!restored) {
      current = null;
      return;
    }
    if (current?.version === restored) return; // the failed release never replaced it
    const origin = promotedBy.get(restored);
    current = {
      version: restored,
      since: event.at,
      approvedBy: origin?.approvedBy ?? [],
      executionArn: origin?.executionArn ?? null,
      via: 'rollback',
      restoredBy: event.executionArn,
    };
  });
  return current;
}

/** Every promotion into and rollback of `environment`, oldest first. */
export function promotionHistory(
  entries: readonly StoredLedgerEntry[],
  environment: string,
): PromotionEvent[] {
  const history: PromotionEvent[] = [];
  walk(entries, environment, (event) => {
    history.push(event);
  });
  return history;
}

/** Everything the ledger knows about one release, and where it runs now. */
export function releaseStory(entries: readonly StoredLedgerEntry[], version: string): ReleaseStory {
  const own = entries.filter((e) => e.releaseVersion === version);
  const environments = [...new Set(entries.filter((e) => e.environment).map((e) => e.environment as string))];
  const promotions = own
    .filter((e) => e.kind === 'promotion' && e.environment)
    .map((e) => ({
      environment: e.environment as string,
      at: e.at,
      executionArn: e.executionArn ?? null,
      approvedBy: approvalsOf(entries, e.executionArn, e.environment),
    }));
  return {
    version,
    release: own.find((e) => e.kind === 'release') ?? null,
    entries: own,
    promotions,
    currentlyIn: environments.filter((env) => currentRelease(entries, env)?.version === version),
  };
}

type Visit = (
  event: PromotionEvent,
  promotedBy: ReadonlyMap<string, { executionArn: string | null; approvedBy: readonly string[] }>,
) => void;

/** One pass in append order, remembering approvals per run so each promotion knows who let it through. */
function walk(entries: readonly StoredLedgerEntry[], environment: string, visit: Visit): void {
  const approvals = new Map<string, string[]>();
  const promotedBy = new Map<string, { executionArn: string | null; approvedBy: readonly string[] }>();
  let last: string | null = null;
  for (const entry of entries) {
    if (entry.environment !== environment) continue;
    if (entry.kind === 'approval-decision' && entry.data.outcome === 'approved' && entry.executionArn) {
      const by = entry.data.approvedBy;
      approvals.set(entry.executionArn, Array.isArray(by) ? by.map(String) : []);
    } else if (entry.kind === 'promotion' && entry.releaseVersion) {
      const approvedBy = (entry.executionArn && approvals.get(entry.executionArn)) || [];
      const event: PromotionEvent = {
        kind: 'promotion',
        version: entry.releaseVersion,
        at: entry.at,
        executionArn: entry.executionArn ?? null,
        approvedBy,
        previousVersion: last,
      };
      visit(event, promotedBy);
      promotedBy.set(entry.releaseVersion, { executionArn: event.executionArn, approvedBy });
      last = entry.releaseVersion;
    } else if (entry.kind === 'rollback') {
      const restored = restoredVersion(entry);
      const origin = restored ? promotedBy.get(restored) : undefined;
      visit(
        {
          kind: 'rollback',
          version: restored,
          at: entry.at,
          executionArn: entry.executionArn ?? null,
          approvedBy: origin?.approvedBy ?? [],
          previousVersion: last,
          failedVersion: typeof entry.data.failedVersion === 'string' ? entry.data.failedVersion : null,
          reason: entry.data.reason,
        },
        promotedBy,
      );
      last = restored;
    }
  }
}

/** The version a rollback left running, or null when it left nothing healthy running. */
export function restoredVersion(entry: StoredLedgerEntry): string | null {
  const { restoredVersion: version, action, state } = entry.data;
  if (typeof version !== 'string' || typeof action !== 'string' || !RESTORING.has(action)) return null;
  if (state === 'FAILED') return null;
  return version;
}

function approvalsOf(
  entries: readonly StoredLedgerEntry[],
  executionArn: string | undefined,
  environment: string | undefined,
): string[] {
  if (!executionArn) return [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (
      e.kind === 'approval-decision' &&
      e.executionArn === executionArn &&
      e.environment === environment &&
      e.data.outcome === 'approved'
    ) {
      return Array.isArray(e.data.approvedBy) ? e.data.approvedBy.map(String) : [];
    }
  }
  return [];
}
