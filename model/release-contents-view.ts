import type { StoredLedgerEntry } from '../functions/shared/ports/ledger.js';

/**
 * A run's release contents and redeploy request, as `tollgate show` and the console print them,
 * read from the run's `release-contents` and `redeploy` ledger entries (register-release writes both).
 */
export interface ContentsView {
  readonly environment: string;
  readonly since: string | null;
  readonly listed: boolean;
  readonly detail: string | null;
  readonly truncated: boolean;
  readonly commits: ReadonlyArray<{
    readonly commit: string;
    readonly author: string;
    readonly subject: string;
  }>;
  readonly features: ReadonlyArray<{ readonly id: string; readonly link?: string }>;
}

export interface RedeployView {
  readonly environment: string;
  readonly requestedBy: string;
  readonly reason: string;
  readonly notPassed: readonly string[];
}

/** How many commits the terminal lists per environment; --json has them all. */
const SHOWN_COMMITS = 5;

export function releaseContentsView(entries: readonly StoredLedgerEntry[]): {
  contents: ContentsView[];
  redeploy: RedeployView | null;
} {
  const recorded = entries.findLast((e) => e.kind === 'release-contents')?.data.environments;
  const contents = (Array.isArray(recorded) ? recorded : []).map((raw: Record<string, unknown>) => ({
    environment: String(raw.environment),
    since: typeof raw.since === 'string' ? raw.since : null,
    listed: raw.listed === true,
    detail: typeof raw.detail === 'string' ? raw.detail : null,
    truncated: raw.truncated === true,
    commits: Array.isArray(raw.commits) ? (raw.commits as ContentsView['commits']) : [],
    features: Array.isArray(raw.features) ? (raw.features as ContentsView['features']) : [],
  }));
  const asked = entries.findLast((e) => e.kind === 'redeploy');
  return {
    contents,
    redeploy: asked
      ? {
          environment: asked.environment ?? '-',
          requestedBy: asked.actor ?? 'unknown',
          reason: String(asked.data.reason ?? ''),
          notPassed: Array.isArray(asked.data.notPassed) ? asked.data.notPassed.map(String) : [],
        }
      : null,
  };
}

export function contentsLines(contents: readonly ContentsView[]): string[] {
  return contents.flatMap((c) => {
    const over = c.since ? `over ${c.since}` : '(nothing there before)';
    if (!c.listed) return [`${c.environment}: commits ${over} not listed: ${c.detail ?? 'unknown'}`];
    const features = c.features.length ? `; features ${c.features.map((f) => f.id).join(', ')}` : '';
    return [
      `${c.environment}: adds ${c.commits.length}${c.truncated ? '+' : ''} commit(s) ${over}${features}`,
      ...c.commits.slice(0, SHOWN_COMMITS).map((m) => `  ${m.commit.slice(0, 7)} ${m.subject} (${m.author})`),
      ...(c.commits.length > SHOWN_COMMITS ? [`  … ${c.commits.length - SHOWN_COMMITS} more (--json)`] : []),
    ];
  });
}
