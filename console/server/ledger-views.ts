import {
  type CurrentRelease,
  currentRelease,
  type PromotionEvent,
  promotionHistory,
  releaseStory,
} from '../../functions/shared/ledger/ledger-queries.js';
import type { StoredLedgerEntry } from '../../functions/shared/ports/ledger.js';
import { BadRequestError, NotFoundError } from './errors.js';
import { redact } from './redact.js';

/**
 * The auditor's views over the ledger: the environments board, the comparison of two
 * environments, a release's page and the approval trail. They fold over entries with the shared
 * ledger queries, so the console answers exactly what `tollgate envs` and request-approval answer.
 */
export interface ReleaseInfo {
  readonly version: string;
  readonly commit: string | null;
  readonly author: string | null;
  readonly message: string | null;
  readonly digest: string | null;
  readonly registeredAt: string | null;
  readonly executionArn: string | null;
}

export interface EnvironmentBoardRow {
  readonly environment: string;
  readonly current: (CurrentRelease & { readonly release: ReleaseInfo | null }) | null;
  readonly history: PromotionEvent[];
}

const VERSION = /^r\d{1,12}-[0-9a-f]{4,40}$/;

export function releaseInfo(entries: readonly StoredLedgerEntry[], version: string): ReleaseInfo | null {
  // From the end: the releases asked about (what an environment runs, what is on its way) are
  // recent, and a two-year ledger has tens of thousands of entries before them. A version is
  // registered once (the ledger is idempotent), so the newest match is the only one.
  const entry = entries.findLast((e) => e.kind === 'release' && e.releaseVersion === version);
  if (!entry) return null;
  // biome-ignore lint/suspicious/noExplicitAny: ledger data is free-form; each field is checked where read
  const d = entry.data as Record<string, any>;
  return {
    version,
    commit: typeof d.commit === 'string' ? d.commit : null,
    author:
      typeof d.author?.name === 'string' ? d.author.name : typeof d.author === 'string' ? d.author : null,
    message: typeof d.message === 'string' ? d.message : null,
    digest: typeof d.digest === 'string' ? d.digest : null,
    registeredAt: entry.at,
    executionArn: entry.executionArn ?? null,
  };
}

export function environmentsBoard(
  entries: readonly StoredLedgerEntry[],
  environments: readonly string[],
): EnvironmentBoardRow[] {
  return environments.map((environment) => {
    const current = currentRelease(entries, environment);
    return {
      environment,
      current: current ? { ...current, release: releaseInfo(entries, current.version) } : null,
      history: redact(promotionHistory(entries, environment)),
    };
  });
}

interface EnvironmentComparison {
  readonly a: { readonly environment: string; readonly current: EnvironmentBoardRow['current'] };
  readonly b: { readonly environment: string; readonly current: EnvironmentBoardRow['current'] };
  /** Fields whose values differ between the two environments' current releases. */
  readonly differences: ReadonlyArray<{ field: string; a: unknown; b: unknown }>;
  /** Releases registered after the older one up to the newer one: what the lagging side lacks. */
  readonly releasesBetween: ReleaseInfo[];
}

export function compareEnvironments(
  entries: readonly StoredLedgerEntry[],
  environments: readonly string[],
  a: string,
  b: string,
): EnvironmentComparison {
  for (const env of [a, b]) {
    if (!environments.includes(env)) {
      throw new BadRequestError(
        `environment must be one of ${environments.join(', ')}, got ${JSON.stringify(env)}`,
      );
    }
  }
  if (a === b) throw new BadRequestError('pick two different environments to compare');
  const board = environmentsBoard(entries, [a, b]);
  const [left, right] = board.map((row) => row.current);
  const fields: Array<[string, (c: NonNullable<typeof left>) => unknown]> = [
    ['version', (c) => c.version],
    ['commit', (c) => c.release?.commit ?? null],
    ['digest', (c) => c.release?.digest ?? null],
    ['since', (c) => c.since],
    ['approvedBy', (c) => c.approvedBy.join(', ')],
    ['via', (c) => c.via],
  ];
  const differences = fields
    .map(([field, get]) => ({ field, a: left ? get(left) : null, b: right ? get(right) : null }))
    .filter((d) => d.a !== d.b);
  const releases = entries.filter((e) => e.kind === 'release' && e.releaseVersion);
  const position = (version: string | undefined) =>
    version ? releases.findIndex((e) => e.releaseVersion === version) : -1;
  const [pa, pb] = [position(left?.version), position(right?.version)];
  const [from, to] = pa < pb ? [pa, pb] : [pb, pa];
  const releasesBetween = releases
    .slice(from + 1, to + 1)
    .map((e) => releaseInfo(entries, e.releaseVersion as string))
    .filter((r): r is ReleaseInfo => r !== null);
  return {
    a: { environment: a, current: left },
    b: { environment: b, current: right },
    differences,
    releasesBetween: pa === pb ? [] : releasesBetween,
  };
}

export function releasePage(entries: readonly StoredLedgerEntry[], version: string) {
  if (!VERSION.test(version)) {
    throw new BadRequestError(
      `release version must look like r42-1a2b3c4, got ${JSON.stringify(version.slice(0, 80))}`,
    );
  }
  const story = releaseStory(entries, version);
  if (!story.release && story.entries.length === 0)
    throw new NotFoundError(`no release ${version} in the ledger`);
  return redact({
    version,
    metadata: story.release
      ? {
          ...story.release.data,
          registeredAt: story.release.at,
          executionArn: story.release.executionArn ?? null,
        }
      : null,
    currentlyIn: story.currentlyIn,
    promotions: story.promotions,
    entries: story.entries,
  });
}

const APPROVAL_KINDS = new Set([
  'approval-requested',
  'approval-decision',
  'approval-refused',
  'approval-cancelled',
  'approval-closed',
]);

/** Approval entries of one run, oldest first. */
export function approvalTrail(entries: readonly StoredLedgerEntry[], executionArn: string) {
  return redact(entries.filter((e) => e.executionArn === executionArn && APPROVAL_KINDS.has(e.kind)));
}

/** The most recent refusals (not an approver, self-approval, expired...), newest first. */
export function recentRefusals(entries: readonly StoredLedgerEntry[], limit = 100) {
  return redact(
    entries
      .filter((e) => e.kind === 'approval-refused')
      .slice(-limit)
      .reverse()
      .map((e) => ({
        at: e.at,
        actor: e.actor ?? null,
        environment: e.environment ?? null,
        executionArn: e.executionArn ?? null,
        releaseVersion: e.releaseVersion ?? null,
        approvalId: typeof e.data.approvalId === 'string' ? e.data.approvalId : null,
        decision: typeof e.data.decision === 'string' ? e.data.decision : null,
        code: typeof e.data.code === 'string' ? e.data.code : null,
        reason: typeof e.data.reason === 'string' ? e.data.reason : null,
      })),
  );
}
