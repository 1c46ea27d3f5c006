import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { LocalSnapshotProvider } from '../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../functions/shared/adapters/local/pglite-volumes.js';
import type { OperationRef, SnapshotRef } from '../functions/shared/ports/snapshot-provider.js';
import type { BenchResult, BenchRow } from './bench-row.js';

/**
 * Refresh = snapshot prod + overwrite test, on real PGlite volumes, timed against `cp -r` of the same
 * data directory on the same disk and against pg_dump → pg_restore of the same database. The refresh
 * runs in a child process so its peak RSS is its own.
 */
const MB = 1024 * 1024;
const labels = {
  pipeline: 'bench',
  run: 'arn:aws:states:local:0:execution:bench:r',
  ttl: '2099-01-01T00:00:00.000Z',
};

export async function benchRefresh(options: { quick?: boolean } = {}): Promise<BenchResult> {
  const sizes = options.quick ? [20 * MB, 60 * MB] : [100 * MB, 1024 * MB];
  const rows: BenchRow[] = [];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-bench-refresh-'));
  try {
    rows.push(reflinkRow(root));
    for (const size of sizes) rows.push(...(await measureSize(root, size)));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  return { rows };
}

export const benchRefreshSection = benchRefresh;

async function measureSize(root: string, target: number): Promise<BenchRow[]> {
  const label =
    target >= 1024 * MB ? `${Math.round(target / 1024 / MB)} GB` : `${Math.round(target / MB)} MB`;
  const dataDir = path.join(root, label.replace(' ', ''));
  const bytes = await buildVolumes(dataDir, target);
  const prodDir = path.join(dataDir, 'volumes', 'prod');

  const cpStart = performance.now();
  const cp = spawnSync('cp', ['-r', prodDir, path.join(dataDir, 'cp-copy')]);
  const cpMs = performance.now() - cpStart;
  if (cp.status !== 0) throw new Error(`cp -r failed: ${cp.stderr.toString().trim()}`);
  fs.rmSync(path.join(dataDir, 'cp-copy'), { recursive: true, force: true });

  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', dataDir],
    {
      encoding: 'utf8',
      maxBuffer: 16 * MB,
    },
  );
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{'))
    throw new Error(`refresh child failed: ${child.stderr.trim().split('\n')[0]}`);
  const result = JSON.parse(line) as { snapshotMs: number; overwriteMs: number; maxRssKb: number };
  const refreshMs = result.snapshotMs + result.overwriteMs;
  const rows: BenchRow[] = [
    { name: `data directory (${label} target)`, value: bytes / MB, unit: 'MiB' },
    { name: `cp -r (${label})`, value: cpMs, unit: 'ms' },
    { name: `snapshot (${label})`, value: result.snapshotMs, unit: 'ms' },
    { name: `overwrite incl. restart (${label})`, value: result.overwriteMs, unit: 'ms' },
    {
      name: `refresh = snapshot + overwrite (${label})`,
      value: refreshMs,
      unit: 'ms',
      peer: 'cp -r',
      ratio: refreshMs / cpMs,
      target: '≤ 1.3×',
      met: refreshMs / cpMs <= 1.3,
    },
    { name: `refresh peak RSS (${label})`, value: result.maxRssKb / 1024, unit: 'MiB' },
  ];
  rows.push(await dumpRestoreRow(dataDir, label, refreshMs, target >= 1024 * MB));
  return rows;
}

/** Fills a real PGlite volume with ~target bytes of rows, plus an empty `test` volume. */
async function buildVolumes(dataDir: string, target: number): Promise<number> {
  const host = new VolumeHost({ dataDir });
  try {
    const url = await host.open('prod', 0);
    await host.open('test', 0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      'CREATE TABLE orders (id bigint PRIMARY KEY, customer int NOT NULL, payload text NOT NULL)',
    );
    let next = 1;
    const batch = 50_000; // ~20 MiB of heap + index per batch
    while (dirSize(host.volumeDir('prod')) < target) {
      await client.query(
        `INSERT INTO orders SELECT g, g % 10000, repeat(md5(g::text), 6) FROM generate_series(${next}, ${next + batch - 1}) g`,
      );
      next += batch;
      await client.query('CHECKPOINT');
    }
    await client.end();
  } finally {
    await host.closeAll();
  }
  return dirSize(path.join(dataDir, 'volumes', 'prod'));
}

async function dumpRestoreRow(
  dataDir: string,
  label: string,
  refreshMs: number,
  isTarget: boolean,
): Promise<BenchRow> {
  const name = `pg_dump → pg_restore (${label})`;
  if (spawnSync('which', ['pg_dump']).status !== 0 || spawnSync('which', ['pg_restore']).status !== 0) {
    return { name, value: 'not measured: pg_dump missing', unit: '' };
  }
  const host = new VolumeHost({ dataDir });
  try {
    const prod = new URL(await host.open('prod', 0));
    const test = new URL(await host.open('test', 0));
    const file = path.join(dataDir, 'prod.dump');
    const start = performance.now();
    // Async spawns: the PGlite servers live in this process, so blocking it would deadlock pg_dump.
    const dump = await run('pg_dump', [
      '-Fc',
      '-h',
      prod.hostname,
      '-p',
      prod.port,
      '-U',
      'postgres',
      '-f',
      file,
      'postgres',
    ]);
    if (dump.status !== 0)
      return { name, value: `not measured: ${dump.stderr.trim().split('\n')[0]}`, unit: '' };
    const restore = await run('pg_restore', [
      '--clean',
      '--if-exists',
      '--no-owner',
      '-h',
      test.hostname,
      '-p',
      test.port,
      '-U',
      'postgres',
      '-d',
      'postgres',
      file,
    ]);
    const ms = performance.now() - start;
    if (restore.status !== 0)
      return { name, value: `not measured: ${restore.stderr.trim().split('\n')[0]}`, unit: '' };
    const ratio = ms / refreshMs;
    return {
      name,
      value: ms,
      unit: 'ms',
      peer: 'refresh',
      ratio,
      target: isTarget ? 'refresh ≥ 5× faster' : undefined,
      met: isTarget ? ratio >= 5 : undefined,
    };
  } finally {
    await host.closeAll();
  }
}

function run(command: string, args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => {
      stderr += d;
    });
    proc.on('close', (status) => resolve({ status, stderr }));
    proc.on('error', (error) => resolve({ status: 1, stderr: error.message }));
  });
}

function reflinkRow(root: string): BenchRow {
  const a = path.join(root, 'reflink-probe');
  fs.writeFileSync(a, Buffer.alloc(64 * 1024, 1));
  const probe = spawnSync('cp', ['--reflink=always', a, `${a}.clone`], { encoding: 'utf8' });
  return {
    name: 'reflinks on this disk',
    value: probe.status === 0 ? 'yes' : `no (${probe.stderr.trim().split(': ').pop() || 'cp failed'})`,
    unit: '',
  };
}

function dirSize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** Child: one timed refresh of an existing prod volume into test, then its peak RSS. */
async function child(dataDir: string): Promise<void> {
  const host = new VolumeHost({ dataDir });
  const provider = new LocalSnapshotProvider({ dataDir, host, protectedVolumes: ['prod'] });
  const until = async (op: OperationRef) => {
    for (;;) {
      const status = await provider.poll(op);
      if (status.state === 'FAILED') throw new Error(status.reason);
      if (status.state === 'SUCCEEDED') return status;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  try {
    await host.open('prod', 0);
    await host.open('test', 0);
    const t0 = performance.now();
    const snap = await until(
      await provider.startSnapshot({ idempotencyKey: 'bench/S', source: ['prod'], labels }),
    );
    const t1 = performance.now();
    await until(
      await provider.startClone({
        idempotencyKey: 'bench/C',
        snapshot: snap.ref as SnapshotRef,
        targets: [{ source: 'prod', target: 'test' }],
        mode: 'overwrite',
        labels,
      }),
    );
    const t2 = performance.now();
    console.log(
      JSON.stringify({ snapshotMs: t1 - t0, overwriteMs: t2 - t1, maxRssKb: process.resourceUsage().maxRSS }),
    );
  } finally {
    await host.closeAll();
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1]);
  } else {
    const { formatTable } = await import('./bench-row.js');
    const result = await benchRefresh({ quick: args.includes('--quick') });
    console.log(formatTable('refresh', result.rows));
  }
}
