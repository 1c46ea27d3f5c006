import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { PgWireServer } from '../functions/shared/adapters/local/pg-wire-server.js';
import type { BenchResult, BenchRow } from './bench-row.js';

const PASSWORD = 'bench-password-0123456789abcdefghijklmnopqr';

interface Served {
  readonly url: string;
  stop(): Promise<void>;
}

/** Tollgate's front end: SCRAM, turns, settings saved and reset on every hand-over. */
async function tollgateServer(db: PGlite): Promise<Served> {
  const server = new PgWireServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16, password: PASSWORD });
  const port = await server.start();
  return { url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`, stop: () => server.stop() };
}

/** The peer: pglite-socket as the volumes were served before (no auth, one shared session). */
async function pgliteSocketServer(db: PGlite): Promise<Served> {
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
  await server.start();
  return { url: `postgres://postgres@${server.getServerConn()}/postgres`, stop: () => server.stop() };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Figures {
  readonly connectMs: number;
  readonly serialMs: number;
  readonly alternatingMs: number;
  readonly alternatingSetMs: number;
}

/**
 * Per-query cost through one server: connect (auth included), one client's queries back to back
 * (no hand-over), and four clients taking turns query by query (a hand-over each time), once with
 * no settings and once with one client holding a `SET search_path` that must be saved and restored.
 */
async function measure(start: (db: PGlite) => Promise<Served>, queries: number): Promise<Figures> {
  const db = await PGlite.create();
  const served = await start(db);
  const clients: pg.Client[] = [];
  try {
    const connects: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const t = performance.now();
      const c = new pg.Client({ connectionString: served.url });
      await c.connect();
      connects.push(performance.now() - t);
      clients.push(c);
    }
    const [first] = clients;
    await first!.query(
      'CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, g::text FROM generate_series(1, 1000) g',
    );
    const run = async (pick: (i: number) => pg.Client) => {
      const times: number[] = [];
      for (let i = 0; i < queries; i += 1) {
        const t = performance.now();
        await pick(i).query('SELECT v FROM public.t WHERE id = $1', [(i % 1000) + 1]);
        times.push(performance.now() - t);
      }
      return median(times);
    };
    const serialMs = await run(() => first!);
    const alternatingMs = await run((i) => clients[i % 4]!);
    await first!.query('SET search_path = pg_catalog, public');
    const alternatingSetMs = await run((i) => clients[i % 4]!);
    return { connectMs: median(connects), serialMs, alternatingMs, alternatingSetMs };
  } finally {
    await Promise.allSettled(clients.map((c) => c.end()));
    await served.stop();
    await db.close();
  }
}

export async function benchWireSection({ quick }: { quick: boolean }): Promise<BenchResult> {
  const queries = quick ? 200 : 1_000;
  const peer = await measure(pgliteSocketServer, queries);
  const ours = await measure(tollgateServer, queries);
  const row = (name: string, key: keyof Figures): BenchRow => ({
    name,
    value: ours[key],
    unit: 'ms',
    peer: `pglite-socket ${peer[key].toFixed(2)} ms`,
    ratio: ours[key] / peer[key],
  });
  return {
    rows: [
      row('connect, SCRAM-SHA-256 included (median of 4)', 'connectMs'),
      row(`query, one client back to back (median of ${queries})`, 'serialMs'),
      row(`query, 4 clients taking turns: a hand-over each (median of ${queries})`, 'alternatingMs'),
      row(
        `query, 4 clients taking turns, one with a SET to restore (median of ${queries})`,
        'alternatingSetMs',
      ),
    ],
  };
}
