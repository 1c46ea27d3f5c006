import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DirLedger } from '../functions/shared/adapters/local/dir-ledger.js';
import { currentRelease } from '../functions/shared/ledger/ledger-queries.js';
import type { StoredLedgerEntry } from '../functions/shared/ports/ledger.js';
import { type BenchResult, formatTable } from './bench-row.js';

const ENVIRONMENTS = ['test', 'staging', 'prod'];

/** A realistic mix: per release a release entry, three promotions, an approval and refusals, some rollbacks. */
function ledgerLines(count: number): string {
  const lines: string[] = [];
  let seq = 0;
  const push = (e: Omit<StoredLedgerEntry, 'seq' | 'pipeline' | 'idempotencyKey'>) => {
    seq += 1;
    lines.push(JSON.stringify({ ...e, pipeline: 'orders', idempotencyKey: `k${seq}`, seq }));
  };
  for (let r = 1; seq < count; r++) {
    const version = `r${r}-${(r * 2654435761).toString(16).slice(0, 7)}`;
    const run = `arn:aws:states:eu-west-1:123456789012:execution:orders:run-${r}`;
    const at = new Date(Date.UTC(2026, 0, 1) + r * 60_000).toISOString();
    push({ kind: 'release', at, executionArn: run, releaseVersion: version, data: { digest: 'sha256:x' } });
    for (const environment of ENVIRONMENTS) {
      if (environment === 'prod') {
        push({
          kind: 'approval-refused',
          at,
          executionArn: run,
          environment,
          releaseVersion: version,
          actor: 'mallory',
          data: { code: 'not-an-approver' },
        });
        push({
          kind: 'approval-decision',
          at,
          executionArn: run,
          environment,
          releaseVersion: version,
          actor: 'bob',
          data: { outcome: 'approved', approvedBy: ['bob'] },
        });
      }
      push({ kind: 'promotion', at, executionArn: run, environment, releaseVersion: version, data: {} });
    }
    if (r % 25 === 0) {
      push({
        kind: 'rollback',
        at,
        executionArn: run,
        environment: 'prod',
        releaseVersion: version,
        data: { failedVersion: version, restoredVersion: `r${r - 1}-x`, action: 'redeployed' },
      });
    }
  }
  return `${lines.slice(0, count).join('\n')}\n`;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/**
 * "What is in prod" over a ledger of 100k entries (10k with --quick): DirLedger load + filter +
 * currentRelease, cold (a new reader, as `tollgate envs` is) and the fold alone on entries already
 * in memory (as the console holds them). Peer: a plain JSON.parse of every line, the floor any
 * JSON-lines reader pays.
 */
export async function benchLedgerAndApprovals({ quick }: { quick: boolean }): Promise<BenchResult> {
  const count = quick ? 10_000 : 100_000;
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-ledger-'));
  try {
    const text = ledgerLines(count);
    writeFileSync(join(dir, 'ledger.jsonl'), text);
    const parse = await timed(() =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as StoredLedgerEntry),
    );
    const cold = await timed(async () =>
      currentRelease(await new DirLedger(dir).query({ pipeline: 'orders', environment: 'prod' }), 'prod'),
    );
    if (!cold.value) throw new Error('the bench ledger has no release in prod');
    const all = parse.value;
    const rounds = quick ? 20 : 10;
    const fold = await timed(() => {
      for (let i = 0; i < rounds; i++) currentRelease(all, 'prod');
    });
    return {
      rows: [
        {
          name: `what is in prod, cold (load ${count} entries + fold)`,
          value: cold.ms,
          unit: 'ms',
          peer: 'JSON.parse of every line',
          ratio: cold.ms / parse.ms,
        },
        { name: 'what is in prod, entries in memory', value: (rounds * 1000) / fold.ms, unit: 'queries/s' },
        {
          name: 'entries folded per second',
          value: Math.round((rounds * count * 1000) / fold.ms),
          unit: 'entries/s',
        },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchLedgerAndApprovals({ quick: process.argv.includes('--quick') });
  console.log(formatTable('ledger', result.rows));
}
