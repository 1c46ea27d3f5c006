import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  LocalSnapshotProvider,
  SINGLE_USE_LABEL,
} from '../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../functions/shared/adapters/local/pglite-volumes.js';
import { WarmPGlite } from '../functions/shared/adapters/local/pglite-warm-start.js';
import type { OperationRef, SnapshotRef } from '../functions/shared/ports/snapshot-provider.js';
import { mountReflinkFs, reflinkFsUnavailable } from '../test/support/reflink-fs.js';
import type { BenchResult, BenchRow } from './bench-row.js';

/**
 * Refresh = snapshot prod + overwrite test, on real PGlite volumes, against two peers measured in
 * the same run on the same disk: `cp -r` of the prod data directory, and a logical copy of the same
 * database. Each refresh runs in a child process so its peak RSS is its own, with single-use
 * snapshots as the pipeline takes them, kept afterwards as its gc keeps the newest three. Every timed
 * step starts after `sync`, so no step pays for the previous one's dirty pages; figures are medians.
 *
 * The database is ~50 tables of ~2 % each (relation files are what an incremental refresh copies or
 * keeps): the steady state is a refresh after a test run that updated one table and a production that
 * updated another (< 5 % of the bytes each); the worst case touches every file on both sides.
 */
const MB = 1024 * 1024;
const labels = {
  pipeline: 'bench',
  run: 'arn:aws:states:local:0:execution:bench:r',
  ttl: '2099-01-01T00:00:00.000Z',
};

interface ChildResult {
  snapshotMs: number;
  overwriteMs: number;
  reopenMs: number;
  checkpointMs: number;
  coldReopenMs: number;
  prefaultedStartMs: number;
  plainStartMs: number;
  freeOldMs: number;
  rssBeforeMiB: number;
  maxRssMiB: number;
}

export async function benchRefresh(options: { quick?: boolean } = {}): Promise<BenchResult> {
  const sizes = options.quick ? [100 * MB] : [100 * MB, 1024 * MB];
  const rows: BenchRow[] = [];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-bench-refresh-'));
  try {
    rows.push(reflinkRow(root));
    for (const size of sizes) rows.push(...(await measureSize(root, size, options.quick ? 3 : 5)));
    rows.push(...(await onReflinkFs(root, sizes, options.quick ? 3 : 5)));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  return { rows };
}

/**
 * The same refreshes on a filesystem with reflinks, loop-mounted (root and xfsprogs or btrfs-progs
 * needed; this disk has none). There `cp -r` itself clones (GNU cp 9 defaults to --reflink=auto),
 * so the rows also name a full copy, `cp -r --reflink=never`, as a second peer.
 */
async function onReflinkFs(root: string, sizes: number[], reps: number): Promise<BenchRow[]> {
  const unavailable = reflinkFsUnavailable();
  if (unavailable)
    return [{ name: 'refresh on a reflink filesystem', value: `not measured: ${unavailable}`, unit: '' }];
  // Room for the data, the kept snapshots' own extents after writes, and the copies of the peers.
  const reflinkFs = mountReflinkFs(root, Math.max(...sizes) * 6 + 1024 * MB);
  try {
    const rows: BenchRow[] = [];
    const name = `${reflinkFs.kind} with reflinks, loop-mounted`;
    for (const size of sizes) rows.push(...(await measureSize(reflinkFs.dir, size, reps, name)));
    return rows;
  } finally {
    reflinkFs.unmount();
  }
}

async function measureSize(root: string, target: number, reps: number, fsName?: string): Promise<BenchRow[]> {
  const size = target >= 1024 * MB ? `${Math.round(target / 1024 / MB)} GB` : `${Math.round(target / MB)} MB`;
  const label = fsName ? `${size}, ${fsName}` : size;
  const dataDir = path.join(root, size.replace(' ', ''));
  const { bytes, tables } = await buildVolumes(dataDir, target);
  const prodDir = path.join(dataDir, 'volumes', 'prod');
  const copyMs = (args: string[]) => (): number => {
    const ms = timed(() => mustRun('cp', [...args, prodDir, path.join(dataDir, 'cp-copy')]));
    fs.rmSync(path.join(dataDir, 'cp-copy'), { recursive: true, force: true });
    return ms;
  };
  const cpMs = copyMs(['-r']);
  // Where reflinks exist, `cp -r` clones; a full copy is the other honest peer there.
  const fullCopyMs = fsName ? copyMs(['-r', '--reflink=never']) : undefined;
  const cp: number[] = [];
  const fullCopy: number[] = [];
  const peers = () => {
    cp.push(cpMs());
    if (fullCopyMs) fullCopy.push(fullCopyMs());
  };
  const first = refreshInChild(dataDir, 'first');
  peers();
  // The first refresh moved every file of its single-use snapshot into test; the second puts a
  // reusable copy of prod back among the snapshots (test keeps its files), which later ones link.
  const second = refreshInChild(dataDir, 'second');
  const steady: ChildResult[] = [];
  for (let rep = 0; rep < reps; rep += 1) {
    const written = await writeBothSides(dataDir, tables, rep);
    if (rep === 0) steadyShare = written / bytes;
    steady.push(refreshInChild(dataDir, `steady-${rep}`));
    peers();
  }
  const worst: ChildResult[] = [];
  for (let rep = 0; rep < 2; rep += 1) {
    touchEveryFile(dataDir);
    worst.push(refreshInChild(dataDir, `worst-${rep}`));
    peers();
  }
  const cpMedian = median(cp);
  const total = (r: ChildResult) => r.snapshotMs + r.overwriteMs;
  const steadyMs = median(steady.map(total));
  const worstMs = median(worst.map(total));
  const pick = (runs: ChildResult[], key: keyof ChildResult) => median(runs.map((r) => r[key]));
  const isLarge = target >= 1024 * MB;
  const rows: BenchRow[] = [
    { name: `data directory (${label} target, ${tables} tables)`, value: bytes / MB, unit: 'MiB' },
    {
      name: `cp -r of it (median of ${cp.length}, interleaved with the refreshes${fsName ? '; GNU cp clones here' : ''})`,
      value: cpMedian,
      unit: 'ms',
    },
    ...fullCopyRows(fullCopy, label, { steady: median(steady.map(total)), worst: median(worst.map(total)) }),
    {
      name: `first refresh, nothing to reuse (${label})`,
      value: total(first),
      unit: 'ms',
      peer: 'cp -r',
      ratio: total(first) / cpMedian,
    },
    {
      name: `second refresh, nothing written since (${label})`,
      value: total(second),
      unit: 'ms',
      peer: 'cp -r',
      ratio: total(second) / cpMedian,
    },
    {
      name: `refresh after writes to one table on each side, ${(steadyShare * 100).toFixed(1)} % of the files' bytes per side (${label}, median of ${reps})`,
      value: steadyMs,
      unit: 'ms',
      peer: 'cp -r',
      ratio: steadyMs / cpMedian,
      // #18's targets are against a copying `cp -r`; where cp clones, the full-copy rows above say more.
      ...(fsName
        ? {}
        : {
            target: isLarge ? '≤ 0.2× (aim 0.05×)' : '≤ 1.0×',
            met: steadyMs / cpMedian <= (isLarge ? 0.2 : 1.0),
          }),
    },
    { name: `  of which snapshot (${label})`, value: pick(steady, 'snapshotMs'), unit: 'ms' },
    {
      name: `  of which overwrite incl. PGlite restart (${label})`,
      value: pick(steady, 'overwriteMs'),
      unit: 'ms',
    },
    {
      name: `refresh after every file changed on both sides (${label}, median of ${worst.length})`,
      value: worstMs,
      unit: 'ms',
      peer: 'cp -r',
      ratio: worstMs / cpMedian,
      ...(fsName ? {} : { target: '≤ 1.1×', met: worstMs / cpMedian <= 1.1 }),
    },
    { name: `  of which snapshot (${label}, every file)`, value: pick(worst, 'snapshotMs'), unit: 'ms' },
    {
      name: `  of which overwrite incl. PGlite restart (${label}, every file)`,
      value: pick(worst, 'overwriteMs'),
      unit: 'ms',
    },
    {
      name: `PGlite restart of the refreshed volume, alone, from the warm PGlite: the floor (${label})`,
      value: pick(steady, 'reopenMs'),
      unit: 'ms',
    },
    {
      name: `  prod's CHECKPOINT with nothing left to write: the least a snapshot's costs (${label})`,
      value: pick(steady, 'checkpointMs'),
      unit: 'ms',
    },
    {
      // What no refresh of a running production can skip, however little it copies: a consistent
      // point in prod (its CHECKPOINT) and Postgres started again on test's new files. Against
      // cp -r, this says how low the steady ratio can go on this machine.
      name: `floor of any refresh: prod's CHECKPOINT + that restart, with nothing stat-ed or copied (${label})`,
      value: pick(steady, 'checkpointMs') + pick(steady, 'reopenMs'),
      unit: 'ms',
      peer: 'cp -r',
      ratio: (pick(steady, 'checkpointMs') + pick(steady, 'reopenMs')) / cpMedian,
    },
    {
      name: `  the same restart cold (warmStart off), as every refresh paid before (${label})`,
      value: pick(steady, 'coldReopenMs'),
      unit: 'ms',
    },
    {
      name: `  Postgres start from a warm PGlite in one thread, its heap pre-faulted in the warm-up (${label})`,
      value: pick(steady, 'prefaultedStartMs'),
      unit: 'ms',
      peer: 'same, not pre-faulted',
      ratio: pick(steady, 'prefaultedStartMs') / pick(steady, 'plainStartMs'),
    },
    {
      name: `  the same start without pre-faulting: shared memory's page faults paid in the start (${label})`,
      value: pick(steady, 'plainStartMs'),
      unit: 'ms',
    },
    {
      name: `freeing the old volume, in the background after the refresh (${label})`,
      value: pick(steady, 'freeOldMs'),
      unit: 'ms',
    },
    { name: `refresh peak RSS (${label})`, value: pick(steady, 'maxRssMiB'), unit: 'MiB' },
    {
      name: `  of which serving prod + test before it starts (${label})`,
      value: pick(steady, 'rssBeforeMiB'),
      unit: 'MiB',
    },
  ];
  // The logical peer once, on this disk: it does not depend on the filesystem's reflinks.
  if (isLarge && !fsName) {
    const logical = await logicalCopy(dataDir);
    rows.push({
      name: `logical copy: COPY TO STDOUT over the socket → COPY FROM file + indexes (${label})`,
      value: logical,
      unit: 'ms',
      peer: 'first refresh',
      ratio: logical / total(first),
      target: 'refresh ≥ 5× faster',
      met: logical / total(first) >= 5,
    });
  }
  return rows;
}

/** On a reflink filesystem: the full copy, and the refreshes against it. */
function fullCopyRows(
  fullCopy: number[],
  label: string,
  refresh: { steady: number; worst: number },
): BenchRow[] {
  if (fullCopy.length === 0) return [];
  const full = median(fullCopy);
  return [
    {
      name: `cp -r --reflink=never of it: a full copy (median of ${fullCopy.length})`,
      value: full,
      unit: 'ms',
    },
    {
      name: `  steady refresh (below) against that full copy (${label})`,
      value: refresh.steady,
      unit: 'ms',
      peer: 'cp -r --reflink=never',
      ratio: refresh.steady / full,
    },
    {
      name: `  every-file refresh (below) against that full copy (${label})`,
      value: refresh.worst,
      unit: 'ms',
      peer: 'cp -r --reflink=never',
      ratio: refresh.worst / full,
    },
  ];
}

let steadyShare = 0;

function refreshInChild(dataDir: string, key: string): ChildResult {
  spawnSync('sync');
  const script = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', script, '--child', dataDir, key];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * MB });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{'))
    throw new Error(`refresh child failed: ${child.stderr.trim().split('\n')[0]}`);
  return JSON.parse(line) as ChildResult;
}

/** Fills a real PGlite volume with ~target bytes of rows, one table per batch, plus a `test` volume. */
async function buildVolumes(dataDir: string, target: number): Promise<{ bytes: number; tables: number }> {
  const host = new VolumeHost({ dataDir });
  let tables = 0;
  try {
    const url = await host.open('prod', 0);
    await host.open('test', 0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // ~50 tables whatever the size (~20 MiB each at 1 GB): one table is ~2 % of the database.
    const batch = Math.max(1000, Math.round(target / 50 / 420));
    while (dirSize(host.volumeDir('prod')) < target) {
      tables += 1;
      await client.query(
        `CREATE TABLE orders_${tables} (id bigint PRIMARY KEY, customer int NOT NULL, payload text NOT NULL)`,
      );
      await client.query(
        `INSERT INTO orders_${tables} SELECT g, g % 10000, repeat(md5(g::text), 6) FROM generate_series(1, ${batch}) g`,
      );
      await client.query('CHECKPOINT');
    }
    await client.end();
  } finally {
    await host.closeAll();
  }
  return { bytes: dirSize(path.join(dataDir, 'volumes', 'prod')), tables };
}

/** Production updates a tenth of one table, the test run a tenth of another; returns bytes written per side. */
async function writeBothSides(dataDir: string, tables: number, rep: number): Promise<number> {
  const host = new VolumeHost({ dataDir });
  try {
    const before = fileStats(host.volumeDir('prod'));
    for (const [volume, table] of [
      ['prod', 1 + (rep % tables)],
      ['test', 1 + ((rep + Math.ceil(tables / 2)) % tables)],
    ] as const) {
      const client = new pg.Client({ connectionString: await host.open(volume, 0) });
      await client.connect();
      await client.query(`UPDATE orders_${table} SET customer = customer + 1 WHERE id % 10 = ${rep % 10}`);
      await client.query('CHECKPOINT');
      await client.end();
      await host.close(volume);
    }
    const after = fileStats(host.volumeDir('prod'));
    let changed = 0;
    for (const [rel, s] of after) if (before.get(rel) !== s) changed += Number(s.split('/')[0]);
    return changed;
  } finally {
    await host.closeAll();
  }
}

/** Every file's mtime moves on both sides: the refresh can reuse nothing it recorded. */
function touchEveryFile(dataDir: string): void {
  const now = new Date();
  for (const volume of ['prod', 'test']) {
    for (const rel of fileStats(path.join(dataDir, 'volumes', volume)).keys()) {
      fs.utimesSync(path.join(dataDir, 'volumes', volume, rel), now, now);
    }
  }
}

function fileStats(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const s = fs.statSync(file, { bigint: true });
    out.set(path.relative(dir, file), `${s.size}/${s.mtimeNs}`);
  }
  return out;
}

/**
 * The logical peer. pg_dump cannot be used (Debian's pg_dump 15 refuses PGlite's newer server) and
 * pglite-socket cannot carry COPY FROM STDIN (electric-sql/pglite#911), so: every table is dumped with
 * COPY TO STDOUT through the wire protocol into a file, its DDL is read from the catalog, and the
 * target loads the file with a server-side COPY FROM, then builds its constraints and indexes, in
 * pg_restore's order. Streaming with no compression favours the peer over `pg_dump -Fc`.
 */
async function logicalCopy(dataDir: string): Promise<number> {
  const host = new VolumeHost({ dataDir });
  const prod = new pg.Client({ connectionString: await host.open('prod', 0) });
  const test = new pg.Client({ connectionString: await host.open('test', 0) });
  const dumpDir = host.volumeDir('test'); // inside the target so its server can read the dump
  try {
    await prod.connect();
    await test.connect();
    spawnSync('sync');
    const start = performance.now();
    const tables = await prod.query<{ name: string; columns: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name,
              string_agg(format('%I %s%s', a.attname, format_type(a.atttypid, a.atttypmod),
                                CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END), ', ' ORDER BY a.attnum) AS columns
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        GROUP BY 1`,
    );
    const indexes = await prod.query<{ ddl: string }>(
      `SELECT ddl FROM (
         SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s', x.conrelid::regclass, x.conname,
                       pg_get_constraintdef(x.oid)) AS ddl, x.contype = 'f' AS late
           FROM pg_constraint x JOIN pg_namespace n ON n.oid = x.connamespace
          WHERE x.contype IN ('p', 'u', 'c', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
         UNION ALL
         SELECT indexdef, false FROM pg_indexes i
          WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
            AND NOT EXISTS (SELECT 1 FROM pg_constraint x
                             WHERE x.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)
       ) d ORDER BY late`,
    );
    const serverDir = (await test.query("SELECT current_setting('data_directory') AS d")).rows[0].d;
    for (const [i, t] of tables.rows.entries()) {
      const file = `tollgate-dump-${i}.copy`;
      await copyOut(prod, `COPY ${t.name} TO STDOUT`, path.join(dumpDir, file));
      await test.query(`DROP TABLE IF EXISTS ${t.name} CASCADE; CREATE TABLE ${t.name} (${t.columns})`);
      await test.query(`COPY ${t.name} FROM '${serverDir}/${file}'`);
      fs.rmSync(path.join(dumpDir, file));
    }
    for (const { ddl } of indexes.rows) await test.query(ddl);
    return performance.now() - start;
  } finally {
    await prod.end().catch(() => undefined);
    await test.end().catch(() => undefined);
    await host.closeAll();
  }
}

/** COPY … TO STDOUT into a file, through node-pg's submittable interface (no extra package). */
function copyOut(client: pg.Client, sql: string, file: string): Promise<void> {
  const fd = fs.openSync(file, 'w');
  return new Promise<void>((resolve, reject) => {
    let failure: Error | undefined;
    const submittable = {
      submit: (connection: { query(text: string): void }) => connection.query(sql),
      handleCopyData: (msg: { chunk: Buffer }) => fs.writeSync(fd, msg.chunk),
      handleCopyInResponse: (connection: { sendCopyFail(why: string): void }) =>
        connection.sendCopyFail('expected COPY TO STDOUT'),
      handleError: (error: Error) => {
        failure = error;
      },
      handleReadyForQuery: () => (failure ? reject(failure) : resolve()),
      handleCommandComplete: () => undefined,
      handleRowDescription: () => undefined,
      handleDataRow: () => undefined,
      handleEmptyQuery: () => undefined,
    };
    client.query(submittable as unknown as pg.QueryConfig);
  }).finally(() => fs.closeSync(fd));
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

function timed(fn: () => void): number {
  spawnSync('sync');
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function mustRun(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr.trim().split('\n')[0]}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function dirSize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/**
 * Child: one timed refresh of the prod volume into test from a single-use snapshot, then its restart
 * and peak RSS. The snapshot stays (the pipeline's gc keeps the newest three): the next refresh
 * links what it still holds.
 */
async function child(dataDir: string, key: string): Promise<void> {
  const host = new VolumeHost({ dataDir });
  const provider = new LocalSnapshotProvider({ dataDir, host, protectedVolumes: ['prod'] });
  // Waits for the operation itself rather than polling on a timer, which added up to a timer's
  // period to every step measured.
  const until = async (op: OperationRef) => {
    await provider.idle();
    const status = await provider.poll(op);
    if (status.state !== 'SUCCEEDED') throw new Error(status.reason ?? `operation ${op.id} ${status.state}`);
    return status;
  };
  try {
    await host.open('prod', 0);
    await host.open('test', 0);
    // The runtime serves its volumes long before a refresh: its warm PGlite is ready by then.
    await host.warmReady();
    const rssBeforeMiB = process.memoryUsage().rss / MB;
    const t0 = performance.now();
    const snap = await until(
      await provider.startSnapshot({
        idempotencyKey: `bench/${key}/S`,
        source: ['prod'],
        labels: { ...labels, [SINGLE_USE_LABEL]: 'true' },
      }),
    );
    const t1 = performance.now();
    await until(
      await provider.startClone({
        idempotencyKey: `bench/${key}/C`,
        snapshot: snap.ref as SnapshotRef,
        targets: [{ source: 'prod', target: 'test' }],
        mode: 'overwrite',
        labels,
      }),
    );
    const t2 = performance.now();
    await host.idle();
    const t3 = performance.now();
    const maxRssMiB = process.resourceUsage().maxRSS / 1024;
    // A second CHECKPOINT, right after the snapshot's: nothing is left to write, so this is the
    // least a snapshot's can cost (the floor row's lower bound).
    const tc = performance.now();
    await host.withQuiesced(['prod'], () => undefined);
    const checkpointMs = performance.now() - tc;
    await host.warmReady();
    await host.close('test');
    spawnSync('sync');
    const t4 = performance.now();
    await host.open('test', 0);
    const reopenMs = performance.now() - t4;
    await provider.idle();
    await host.closeAll();
    const cold = new VolumeHost({ dataDir, warmStart: false });
    spawnSync('sync');
    const t5 = performance.now();
    await cold.open('test', 0);
    const coldReopenMs = performance.now() - t5;
    await cold.closeAll();
    // The same start in this thread from a warm PGlite, without and with its heap pre-faulted.
    const startInThread = async (options: { prefault?: number }) => {
      const warm = new WarmPGlite(host.startParams, options);
      await warm.whenReady();
      spawnSync('sync');
      const t = performance.now();
      const db = await warm.attach(host.volumeDir('test'));
      const ms = performance.now() - t;
      await db.close();
      return ms;
    };
    const plainStartMs = await startInThread({ prefault: 0 });
    const prefaultedStartMs = await startInThread({});
    const result: ChildResult = {
      snapshotMs: t1 - t0,
      overwriteMs: t2 - t1,
      reopenMs,
      checkpointMs,
      coldReopenMs,
      prefaultedStartMs,
      plainStartMs,
      freeOldMs: t3 - t2,
      rssBeforeMiB,
      maxRssMiB,
    };
    console.log(JSON.stringify(result));
  } finally {
    await provider.idle();
    await host.closeAll();
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1], args[2]);
  } else {
    const { formatTable } = await import('./bench-row.js');
    const result = await benchRefresh({ quick: args.includes('--quick') });
    console.log(formatTable('refresh', result.rows));
  }
}
