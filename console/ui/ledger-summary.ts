import type { Json } from './json.js';

/**
 * One readable line for a ledger entry, so the release page does not make people read raw JSON;
 * the full document stays one click away. Unknown kinds fall back to their field names.
 */
export function ledgerSummary(entry: Json): string {
  const d: Json = entry.data ?? {};
  const short = (v: unknown) => (typeof v === 'string' ? v.slice(0, 19) : '—');
  switch (entry.kind) {
    case 'release':
      return `digest ${short(d.digest)}…, ${d.size ?? '?'} bytes, commit ${String(d.commit ?? '').slice(0, 7)}`;
    case 'promotion': {
      const smoke = d.evidence?.smokeTests;
      const checks = smoke ? `; smoke tests ${smoke.passed ? 'passed' : 'failed'}` : '';
      return `replaced ${d.previousVersion ?? 'nothing'}${checks}`;
    }
    case 'rollback':
      return `${d.failedVersion ?? '?'} rolled back to ${d.restoredVersion ?? 'nothing'}${reasonText(d.reason)}`;
    case 'approval-requested':
      return `approvers ${(d.approvers ?? []).join(', ') || '—'}; needs ${d.minApprovals ?? 1}`;
    case 'approval-decision':
      return `${d.decision ?? d.outcome ?? '?'}${d.comment ? ` — “${d.comment}”` : ''}`;
    case 'approval-refused':
      return `refused: ${d.reason ?? d.code ?? '?'}`;
    case 'approval-cancelled':
      return `cancelled: ${d.reason ?? '?'}`;
    case 'approval-closed':
      return `closed: ${d.reason ?? '?'}`;
    case 'run-summary':
      return `${d.status ?? '?'}${runReach(d)}`;
    case 'data-refresh':
      return `from snapshot ${d.snapshot ?? '?'}`;
    case 'migrations-applied': {
      const applied: string[] = Array.isArray(d.applied) ? d.applied : [];
      const held = Array.isArray(d.present) ? d.present.length : '?';
      return `${applied.length ? `applied ${applied.join(', ')}` : 'nothing new to apply'}; the database holds ${held} migration(s)`;
    }
    case 'deploy-failed':
      return `failed: ${d.reason ?? d.error ?? '?'}`;
    default:
      return Object.keys(d).slice(0, 6).join(', ');
  }
}

/** A rollback's reason is the pipeline's failure object (`{stage, error, cause}`), or older text. */
function reasonText(reason: unknown): string {
  if (typeof reason === 'string') return reason ? `: ${reason}` : '';
  if (!reason || typeof reason !== 'object') return '';
  const r = reason as Json;
  const words = [r.stage ? `${r.stage} failed` : null, r.error, r.cause].filter(
    (w) => typeof w === 'string' && w.length > 0,
  );
  return words.length ? `: ${words.join(': ')}` : '';
}

/**
 * Where a run got to. A failed run records no environments list (its Map never finished), only the
 * failure, which names the environment it reached and failed in and whether it was rolled back.
 */
function runReach(d: Json): string {
  const failure: Json | undefined = d.failure && typeof d.failure === 'object' ? d.failure : undefined;
  const reached: string[] = Array.isArray(d.environmentsReached) ? d.environmentsReached : [];
  if (failure?.environment) {
    const at = failure.stage ? ` at ${failure.stage}` : '';
    const back = failure.rolledBack
      ? `, rolled back${failure.rolledBack.restoredVersion ? ` to ${failure.rolledBack.restoredVersion}` : ''}`
      : '';
    return ` · reached ${failure.environment}, failed there${at}${back}`;
  }
  if (!Array.isArray(d.environmentsReached)) return '';
  return ` · reached ${reached.join(', ') || 'no environment'}`;
}

/** The note after an environment's history entry: what it replaced, when that says something. */
export function replacedNote(e: Json): string {
  // A rollback restores what ran before the failed release, so "(was …)" would name itself.
  if (e.kind === 'rollback' || !e.previousVersion || e.previousVersion === e.version) return '';
  return ` (was ${e.previousVersion})`;
}
