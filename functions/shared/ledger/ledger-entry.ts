import { InvalidInputError } from '../errors.js';
import type { LedgerEntry, LedgerEntryKind, LedgerFilter, StoredLedgerEntry } from '../ports/ledger.js';

const LEDGER_KINDS: readonly LedgerEntryKind[] = [
  'release',
  'promotion',
  'rollback',
  'deploy-failed',
  'approval-requested',
  'approval-decision',
  'approval-refused',
  'approval-cancelled',
  'approval-closed',
  'data-refresh',
  'migrations-applied',
  'migration-checkpoint',
  'compatibility-check',
  'run-summary',
  'run-skipped',
  'canary-traffic',
  'canary-step',
  'checkpoint-restore',
  'release-contents',
  'redeploy',
];

/** Every adapter validates the same way, so a bad entry is refused before anything is written. */
export function validateEntry(entry: LedgerEntry): void {
  if (!entry || typeof entry !== 'object') throw new InvalidInputError('ledger entry must be an object');
  if (!LEDGER_KINDS.includes(entry.kind)) {
    throw new InvalidInputError(
      `ledger entry kind "${String(entry.kind)}" is not one of ${LEDGER_KINDS.join(', ')}`,
    );
  }
  if (typeof entry.pipeline !== 'string' || !entry.pipeline)
    throw new InvalidInputError('ledger entry needs a pipeline');
  if (typeof entry.at !== 'string' || Number.isNaN(Date.parse(entry.at))) {
    throw new InvalidInputError(
      `ledger entry "at" must be an ISO 8601 time, got ${JSON.stringify(entry.at)}`,
    );
  }
  if (typeof entry.idempotencyKey !== 'string' || !entry.idempotencyKey) {
    throw new InvalidInputError('ledger entry needs an idempotencyKey (execution ARN + state name)');
  }
  if (!entry.data || typeof entry.data !== 'object' || Array.isArray(entry.data)) {
    throw new InvalidInputError('ledger entry data must be an object');
  }
}

export function matchesFilter(entry: StoredLedgerEntry, filter: LedgerFilter): boolean {
  return (
    (filter.pipeline === undefined || entry.pipeline === filter.pipeline) &&
    (filter.kinds === undefined || filter.kinds.includes(entry.kind)) &&
    (filter.environment === undefined || entry.environment === filter.environment) &&
    (filter.releaseVersion === undefined || entry.releaseVersion === filter.releaseVersion) &&
    (filter.executionArn === undefined || entry.executionArn === filter.executionArn)
  );
}
