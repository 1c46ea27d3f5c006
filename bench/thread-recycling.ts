import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { fillWithEmptyCluster } from '../functions/shared/adapters/local/empty-cluster.js';
import { PGliteThreadPool } from '../functions/shared/adapters/local/pglite-thread-pool.js';
import { ThreadedPGlite } from '../functions/shared/adapters/local/threaded-pglite.js';
import type { BenchRow } from './bench-row.js';

const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

/** How the threads behind volumes' PGlites are had: the thread-per-start path, or a pool's. */
interface Threads {
  /** Starts PGlite on `dir` in a spare thread; the next spare starts behind it, as VolumeHost does. */
  start(dir: string): Promise<ThreadedPGlite>;
  /** Resolves once the spare (and any recycling) has finished its part: all CPU is spent. */
  settled(): Promise<void>;
}

/** Before the pool: a spare thread per start, each thread ended when its PGlite closes. */
function threadPerStart(): Threads {
  // Made at the first start, like the pool's first thread: both paths start from no thread at all.
  let spare: ThreadedPGlite | undefined;
  return {
    async start(dir) {
      const taken = spare ?? ThreadedPGlite.spare(START_PARAMS);
      spare = ThreadedPGlite.spare(START_PARAMS);
      return taken.attach(dir);
    },
    settled: async () => {
      await spare?.whenReady();
    },
  };
}

function pooled(pool: PGliteThreadPool): Threads {
  return {
    async start(dir) {
      const db = await pool.take(START_PARAMS).attach(dir);
      pool.prepare(START_PARAMS);
      return db;
    },
    settled: () => pool.whenReady(START_PARAMS),
  };
}

type Figures = {
  hostStart: number;
  restarts: number;
  twoHosts: number;
  rssFirst: number;
  rssLast: number;
  /** RSS after each recycle round, MiB. */
  rss: number[];
};

/** CPU seconds (all threads of this process) that `fn` costs, spare work included. */
async function cpuOf(threads: Threads, fn: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await fn();
  await threads.settled();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

/** One path's figures, in a process of its own so neither path inherits the other's warm code. */
async function measure(path: 'old' | 'new'): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-recycle-'));
  const pool = new PGliteThreadPool(2);
  const threads = path === 'old' ? threadPerStart() : pooled(pool);
  try {
    const dirs = ['a', 'b'].map((n) => join(dir, n));
    for (const d of dirs) await fillWithEmptyCluster(d, START_PARAMS);
    await threads.settled();
    const host = async () => {
      const dbs = [];
      for (const d of dirs) dbs.push(await threads.start(d));
      return dbs;
    };
    // (a) a host start: two volumes and the spare behind them.
    let dbs: ThreadedPGlite[] = [];
    const hostStart = await cpuOf(threads, async () => {
      dbs = await host();
    });
    // (b) ten refresh-like restarts: volume a's PGlite closed and started again.
    const rss: number[] = [];
    const restarts = await cpuOf(threads, async () => {
      for (let i = 0; i < 10; i += 1) {
        await dbs[0].close();
        dbs[0] = await threads.start(dirs[0]);
        rss.push(process.memoryUsage().rss);
      }
    });
    // Ten more rounds for the RSS trend only (20 in all).
    for (let i = 0; i < 10; i += 1) {
      await dbs[0].close();
      dbs[0] = await threads.start(dirs[0]);
      await threads.settled();
      rss.push(process.memoryUsage().rss);
    }
    // (c) that host closed and a second one started in the same process.
    const twoHosts = await cpuOf(threads, async () => {
      for (const db of dbs) await db.close();
      dbs = await host();
    });
    for (const db of dbs) await db.close();
    const mib = (bytes: number) => bytes / 2 ** 20;
    return {
      hostStart,
      restarts,
      twoHosts,
      rssFirst: mib(rss[0]),
      rssLast: mib(rss.at(-1)!),
      rss: rss.map((r) => Math.round(mib(r))),
    };
  } finally {
    await pool.endIdle();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function inChild(path: 'old' | 'new'): Promise<Figures> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, '--recycle', path],
    {
      cwd: join(import.meta.dirname, '..'),
      encoding: 'utf8',
      env: { ...process.env, TOLLGATE_LOG_LEVEL: 'WARN' },
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Figures;
}

/**
 * The CPU (process.cpuUsage, every thread) that PGlite threads cost a VolumeHost's starts, with
 * threads recycled through a pool against a thread per start, each path in a fresh process.
 */
export async function benchThreadRecycling(): Promise<BenchRow[]> {
  const old = await inChild('old');
  const now = await inChild('new');
  const row = (name: string, key: 'hostStart' | 'restarts' | 'twoHosts'): BenchRow => ({
    name,
    value: now[key],
    unit: 's CPU',
    peer: `a thread per start: ${old[key].toFixed(2)} s`,
    ratio: now[key] / old[key],
  });
  return [
    row('CPU: a VolumeHost-like start, two volumes and the spare, threads recycled', 'hostStart'),
    row('CPU: 10 refresh-like restarts of one volume (close, start again), threads recycled', 'restarts'),
    row('CPU: the two volumes closed and started again by a second host in the same process', 'twoHosts'),
    {
      name: 'RSS after the 1st / 20th recycle round',
      value: `${now.rssFirst.toFixed(0)} / ${now.rssLast.toFixed(0)}`,
      unit: 'MiB',
      peer: `a thread per start: ${old.rssFirst.toFixed(0)} / ${old.rssLast.toFixed(0)} MiB`,
    },
  ];
}

const at = process.argv.indexOf('--recycle');
if (at >= 0) {
  const path = process.argv[at + 1];
  if (path !== 'old' && path !== 'new') throw new Error(`--recycle takes old or new, got ${path}`);
  console.log(JSON.stringify(await measure(path)));
}
