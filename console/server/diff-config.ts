import { readRunConfig } from '../../functions/register-release/run-config.js';
import type { ArtifactStore } from '../../functions/shared/ports/artifact-store.js';
import type { StoredLedgerEntry } from '../../functions/shared/ports/ledger.js';
import { redact } from './redact.js';

/** One setting that differs; a side without it has no `a` (or `b`). */
interface ConfigDifference {
  readonly path: string;
  readonly a?: unknown;
  readonly b?: unknown;
}

export type ConfigDiff =
  | {
      readonly recorded: true;
      readonly a: string;
      readonly b: string;
      readonly differences: readonly ConfigDifference[];
    }
  | {
      readonly recorded: false;
      readonly a: string | null;
      readonly b: string | null;
      readonly detail: string;
    };

/**
 * The effective configs two runs registered with (register-release stores them, run-config.ts),
 * compared setting by setting. Runs from before configs were recorded have none: that is said,
 * not guessed from today's config.
 */
export async function configDiff(
  runs: { readonly a: string | null; readonly b: string | null },
  labels: { readonly a: string; readonly b: string },
  sources: {
    readonly pipeline: string;
    readonly entries: readonly StoredLedgerEntry[];
    readonly artifacts: Pick<ArtifactStore, 'getText'>;
  },
): Promise<ConfigDiff> {
  const a = recordedDigest(sources.entries, runs.a);
  const b = recordedDigest(sources.entries, runs.b);
  const missing = [a ? null : labels.a, b ? null : labels.b].filter((l): l is string => l !== null);
  if (!a || !b)
    return {
      recorded: false,
      a,
      b,
      detail: `no config recorded for ${missing.join(' and ')} (runs before register-release recorded the effective config)`,
    };
  if (a === b) return { recorded: true, a, b, differences: [] };
  const [left, right] = await Promise.all([
    readRunConfig(sources.artifacts, sources.pipeline, a),
    readRunConfig(sources.artifacts, sources.pipeline, b),
  ]);
  if (!left || !right)
    return { recorded: false, a, b, detail: 'a recorded config is missing from the artifact store' };
  // Redacted before comparing: a secret's value never shows, not even as "it changed".
  return { recorded: true, a, b, differences: settingDifferences(redact(left), redact(right)) };
}

/** The digest the run's release-contents entry recorded, if any. */
function recordedDigest(entries: readonly StoredLedgerEntry[], run: string | null): string | null {
  if (!run) return null;
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.kind === 'release-contents' && e.executionArn === run && typeof e.data.config === 'string')
      return e.data.config;
  }
  return null;
}

/**
 * Setting paths whose values differ. Lists of named things (environments, checks with a name) are
 * matched by name, so inserting an environment shows one addition, not every later one shifted.
 */
function settingDifferences(a: unknown, b: unknown, path = ''): ConfigDifference[] {
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => childDifferences(a, b, key, path ? `${path}.${key}` : key));
  }
  if (isNamedList(a) && isNamedList(b)) {
    const byName = (list: Array<{ name: string }>) => new Map(list.map((item) => [item.name, item]));
    const [left, right] = [byName(a), byName(b)];
    const names = [...new Set([...left.keys(), ...right.keys()])];
    return names.flatMap((name) => childDifferences(left, right, name, `${path}[${name}]`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path, a, b }];
}

function childDifferences(
  a: Record<string, unknown> | Map<string, unknown>,
  b: Record<string, unknown> | Map<string, unknown>,
  key: string,
  path: string,
): ConfigDifference[] {
  const get = (o: typeof a) => (o instanceof Map ? o.get(key) : o[key]);
  const has = (o: typeof a) => (o instanceof Map ? o.has(key) : Object.hasOwn(o, key));
  if (!has(a)) return [{ path, b: get(b) }];
  if (!has(b)) return [{ path, a: get(a) }];
  return settingDifferences(get(a), get(b), path);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNamedList(value: unknown): value is Array<{ name: string }> {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => isRecord(item) && typeof item.name === 'string') &&
    new Set(value.map((item) => item.name)).size === value.length
  );
}
