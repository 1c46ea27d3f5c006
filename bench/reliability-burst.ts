import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbLockTable } from '../functions/shared/adapters/aws/dynamodb-lock-table.js';
import { FileLockTable } from '../functions/shared/adapters/local/file-lock-table.js';
import { systemClock } from '../functions/shared/clock.js';
import type { LockTable } from '../functions/shared/ports/lock-table.js';
import { type GuardBurstReport, runGuardBurst } from '../test/support/guard-burst.js';
import { createMotoLockTable } from '../test/support/moto-lock-table.js';
import { motoAvailable, startMotoServer } from '../test/support/moto-server.js';
import type { BenchResult, BenchRow } from './bench-row.js';

/**
 * A burst of commit events under `concurrency: 'queued'`: every run asks the concurrency guard for
 * the lock at once and sleeps on a task token, against the local file lock table and against
 * DynamoDB on moto_server, with real backoff waits (the system clock); each release wakes the next
 * run. Commits lost and lock-contention failures must be 0, and the runs go in commit order.
 */
export async function benchBurst(opts: { quick: boolean }): Promise<BenchResult> {
  const count = opts.quick ? 50 : 200;
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-burst-'));
  try {
    rows.push(...(await measure('file lock table', count, new FileLockTable(dir))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (motoAvailable()) {
    const moto = await startMotoServer();
    try {
      rows.push(
        ...(await measure('DynamoDB (moto)', count, new DynamoDbLockTable(await createMotoLockTable(moto)))),
      );
    } finally {
      await moto.stop();
    }
  } else {
    rows.push({ name: 'DynamoDB (moto): not measured', value: 'moto_server not installed', unit: '' });
  }
  return { rows };
}

async function measure(label: string, count: number, locks: LockTable): Promise<BenchRow[]> {
  const started = performance.now();
  const report = await runGuardBurst({ locks, clock: systemClock, count, mode: 'queued' });
  const seconds = (performance.now() - started) / 1000;
  const inOrder = report.ran.filter((commit, position) => commit === position).length;
  const contention = report.failures.filter((f) => f.name === 'Tollgate.LockConflict').length;
  return [
    { name: `${label}: commits sent`, value: count, unit: 'commits' },
    {
      name: `${label}: runs completed in commit order`,
      value: inOrder,
      unit: 'runs',
      target: `= ${count}`,
      met: inOrder === count,
    },
    {
      name: `${label}: commits lost`,
      value: report.lost.length,
      unit: 'commits',
      target: '0',
      met: report.lost.length === 0,
    },
    {
      name: `${label}: lock-contention failures`,
      value: contention,
      unit: 'runs',
      target: '0',
      met: contention === 0,
    },
    {
      name: `${label}: other guard failures`,
      value: report.failures.length - contention,
      unit: 'calls',
      target: '0',
      met: report.failures.length === contention,
    },
    {
      name: `${label}: guard calls retried by the state machine (Tollgate.LockConflict)`,
      value: report.stateMachineRetries,
      unit: 'calls',
    },
    { name: `${label}: CAS retries p50`, value: percentile(report, 0.5), unit: 'retries' },
    { name: `${label}: CAS retries p99`, value: percentile(report, 0.99), unit: 'retries' },
    {
      name: `${label}: every run queued (all AcquireLock calls) in`,
      value: report.acquireMs / 1000,
      unit: 's',
    },
    {
      name: `${label}: all runs through the lock in turn (each woken by the release before it) in`,
      value: seconds,
      unit: 's',
    },
    { name: `${label}: wake-ups sent (SendTaskSuccess)`, value: report.wakeUps, unit: 'calls' },
    { name: `${label}: peak RSS`, value: Math.round(process.resourceUsage().maxRSS / 1024), unit: 'MiB' },
  ];
}

function percentile(report: GuardBurstReport, q: number): number {
  const sorted = [...report.retries].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
