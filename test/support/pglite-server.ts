import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { fillWithEmptyCluster } from '../../functions/shared/adapters/local/empty-cluster.js';

/** A real PGlite (Postgres compiled to WASM) with its data on disk, served over the wire protocol. */
export interface PgliteServer {
  readonly dataDir: string;
  readonly connectionString: string;
  /** Stops the socket server and closes the database so the data directory can be copied. */
  stop(): Promise<void>;
}

export interface PgliteServerOptions {
  /** Existing data directory to open; a fresh temp directory otherwise. */
  readonly dataDir?: string;
}

export async function startPgliteServer(options: PgliteServerOptions = {}): Promise<PgliteServer> {
  const dataDir = options.dataDir ?? (await freshCluster());
  const db = await PGlite.create(dataDir);
  // Port 0: the OS picks a free port, so parallel test files never collide.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  let stopped = false;
  return {
    dataDir,
    connectionString: `postgres://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}

/** A new temp directory holding an empty cluster, copied from the cached one rather than initdb. */
async function freshCluster(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-pglite-'));
  rmdirSync(dir);
  if (!(await fillWithEmptyCluster(dir, PGlite.defaultStartParams))) mkdirSync(dir);
  return dir;
}

/** Temp directory removed by the returned function. */
export function tempDir(prefix = 'tollgate-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs one statement on a fresh connection and returns its rows. */
export async function sql<T extends Record<string, unknown> = Record<string, unknown>>(
  connectionString: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Drops everything in `public` so each test starts from an empty schema on a shared server. */
export async function resetSchema(connectionString: string): Promise<void> {
  await sql(connectionString, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
}
