import type { StoredLedgerEntry } from '../ports/ledger.js';
import { currentRelease, promotionHistory } from './ledger-queries.js';

/**
 * What is in a release and where each release runs, folded from the ledger alone (`release`,
 * `release-contents`, `promotion`, `rollback` entries), so the CLI, the console and `--aws` answer
 * alike without asking git.
 */
export interface ReleaseRow {
  readonly version: string;
  readonly commit: string;
  readonly digest: string;
  /** When the build finished (the registration time for releases recorded before builds said). */
  readonly builtAt: string;
  readonly registeredAt: string;
  /** Environments that run it now. */
  readonly runningIn: readonly string[];
}

export interface FeatureLocation {
  readonly environment: string;
  readonly version: string;
  /** Since when the environment has run releases carrying the feature without a break. */
  readonly since: string;
  /** The run that first brought the feature there (of that unbroken stretch). */
  readonly executionArn: string | null;
}

/** Environments in the order the ledger first saw them, which is the pipeline's order. */
export function environmentsOf(entries: readonly StoredLedgerEntry[], pipeline: string): string[] {
  return [
    ...new Set(
      entries.filter((e) => e.pipeline === pipeline && e.environment).map((e) => e.environment as string),
    ),
  ];
}

/** Every release of the pipeline, newest first. */
export function releaseRows(entries: readonly StoredLedgerEntry[], pipeline: string): ReleaseRow[] {
  const own = entries.filter((e) => e.pipeline === pipeline);
  const running = new Map<string, string[]>();
  for (const env of environmentsOf(own, pipeline)) {
    const version = currentRelease(own, env)?.version;
    if (version) running.set(version, [...(running.get(version) ?? []), env]);
  }
  return own
    .filter((e) => e.kind === 'release' && e.releaseVersion)
    .map((e) => ({
      version: e.releaseVersion as string,
      commit: String(e.data.commit ?? ''),
      digest: String(e.data.digest ?? ''),
      builtAt: typeof e.data.builtAt === 'string' ? e.data.builtAt : e.at,
      registeredAt: e.at,
      runningIn: running.get(e.releaseVersion as string) ?? [],
    }))
    .reverse();
}

/**
 * The releases that carry a feature ID: those whose recorded contents name it, and every later
 * release built on one of them. A release's contents list what it adds over the release then in
 * each environment, so "built on" is that base; only a base with a lower sequence counts (a
 * redeploy of an older release adds nothing and inherits nothing from the newer one it replaces).
 */
export function releasesCarrying(
  entries: readonly StoredLedgerEntry[],
  pipeline: string,
  id: string,
): Set<string> {
  const bases = new Map<string, Set<string>>();
  const carrying = new Set<string>();
  for (const e of entries) {
    if (e.pipeline !== pipeline || e.kind !== 'release-contents' || !e.releaseVersion) continue;
    const environments = Array.isArray(e.data.environments) ? e.data.environments : [];
    for (const env of environments as Array<{ since?: unknown; features?: unknown }>) {
      const features = Array.isArray(env.features) ? (env.features as Array<{ id?: unknown }>) : [];
      if (features.some((f) => f.id === id)) carrying.add(e.releaseVersion);
      if (typeof env.since === 'string' && sequenceOf(env.since) < sequenceOf(e.releaseVersion)) {
        const known = bases.get(e.releaseVersion) ?? new Set<string>();
        known.add(env.since);
        bases.set(e.releaseVersion, known);
      }
    }
  }
  // Bases always have lower sequences, so one pass in sequence order settles inheritance.
  const ordered = [...bases.keys()].sort((a, b) => sequenceOf(a) - sequenceOf(b));
  for (const version of ordered) {
    if ([...(bases.get(version) ?? [])].some((base) => carrying.has(base))) carrying.add(version);
  }
  return carrying;
}

/** Which environments run a release carrying the feature now, since when, through which run. */
export function whereFeature(
  entries: readonly StoredLedgerEntry[],
  pipeline: string,
  id: string,
): FeatureLocation[] {
  const own = entries.filter((e) => e.pipeline === pipeline);
  const carrying = releasesCarrying(own, pipeline, id);
  const found: FeatureLocation[] = [];
  for (const environment of environmentsOf(own, pipeline)) {
    const current = currentRelease(own, environment);
    if (!current || !carrying.has(current.version)) continue;
    // Walk back over the stretch of releases that all carried it.
    const history = promotionHistory(own, environment);
    let first = history.length - 1;
    while (first > 0 && history[first - 1]!.version !== null && carrying.has(history[first - 1]!.version!))
      first--;
    const start = history[first];
    found.push({
      environment,
      version: current.version,
      since: start?.at ?? current.since,
      executionArn: start?.executionArn ?? current.executionArn,
    });
  }
  return found;
}

function sequenceOf(version: string): number {
  const n = Number(/^r(\d+)-/.exec(version)?.[1]);
  return Number.isInteger(n) ? n : Number.POSITIVE_INFINITY;
}
