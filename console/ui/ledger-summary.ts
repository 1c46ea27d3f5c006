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
      return `${d.failedVersion ?? '?'} rolled back to ${d.restoredVersion ?? 'nothing'}${d.reason ? `: ${d.reason}` : ''}`;
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
      return `${d.status ?? '?'}${d.environmentsReached ? ` · reached ${d.environmentsReached.join(', ') || 'none'}` : ''}`;
    case 'data-refresh':
      return `from snapshot ${d.snapshot ?? '?'}`;
    case 'deploy-failed':
      return `failed: ${d.reason ?? d.error ?? '?'}`;
    default:
      return Object.keys(d).slice(0, 6).join(', ');
  }
}
