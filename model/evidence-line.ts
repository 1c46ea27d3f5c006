import type { Evidence } from './evidence.js';

/**
 * A stage's evidence in one terminal line: the same evidence the console draws as tables, cut to
 * what fits (`--json` and the console keep all of it).
 */
export function evidenceLine(evidence: readonly Evidence[]): string {
  return evidence.flatMap(parts).join('; ');
}

const mark = (ok: boolean) => (ok ? '✓' : '✗');
const MAX_ITEMS = 8;

function parts(e: Evidence): string[] {
  switch (e.kind) {
    case 'smoke-tests':
      return e.checks
        .slice(0, MAX_ITEMS)
        .map((c) => `${mark(c.ok)} ${c.name}${c.status === null ? '' : ` ${c.status}`}`);
    case 'tests':
      return e.tests.slice(0, MAX_ITEMS).map((t) => {
        const counts = t.total === null ? '' : ` ${t.total - (t.failedCount ?? 0)}/${t.total} passed`;
        const first = t.failures[0];
        const failure = first ? `; ${first.name}: ${first.message.slice(0, 120)}` : '';
        const thresholds = t.thresholds.map((h) => `; ${mark(h.passed)} ${h.detail}`).join('');
        const other =
          !t.passed && !first && !t.thresholds.some((h) => !h.passed) ? `; ${t.reasons[0] ?? 'failed'}` : '';
        return `${mark(t.passed)} ${t.name}${counts}${failure}${thresholds}${other}`;
      });
    case 'data-checks':
      return e.checks.slice(0, MAX_ITEMS).map((c) => `${mark(c.passed)} ${c.check} (${c.count} violations)`);
    case 'masking':
      return e.checks
        .slice(0, MAX_ITEMS)
        .map((c) => `${mark(c.passed)} ${c.check} ${c.table}${c.column ? `.${c.column}` : ''}`);
    case 'masked-columns':
      return [`masked ${e.rules.length} rules${e.totalRows === null ? '' : `, ${e.totalRows} rows`}`];
    case 'migrations':
      return [
        e.applied.length === 0
          ? 'no new migrations'
          : `applied ${e.applied.map((m) => `${m.version} ${m.name}`).join(', ')}`,
      ];
    case 'snapshot':
      return [provenanceLine(e.provenance)];
    case 'deployment':
      return [[e.version, e.state].filter(Boolean).join(' ') || `deployment ${e.deploymentId ?? ''}`.trim()];
    case 'rollback':
      return [`${e.action ?? 'rollback'}${e.restoredVersion ? ` to ${e.restoredVersion}` : ''}`];
    case 'release':
      return [`version ${e.version}${e.digest ? ` digest ${e.digest.slice(0, 19)}` : ''}`];
    case 'approval':
      return [`approval ${e.status ?? 'requested'}${e.expiresAt ? `, expires ${e.expiresAt}` : ''}`];
    case 'approved':
      return [`approved by ${e.approvals.map((a) => a.approver).join(', ')}`];
  }
}

function provenanceLine(provenance: Record<string, unknown>): string {
  const words: string[] = [];
  for (const key of ['snapshotId', 'snapshot', 'source', 'sourceVolume', 'createdAt']) {
    const value = provenance[key];
    if (typeof value === 'string' || typeof value === 'number')
      words.push(`${key} ${String(value).slice(0, 80)}`);
  }
  return words.join(' ') || 'snapshot';
}
