import pg from 'pg';
import { TollgateError } from '../errors.js';
import { isPostgresUrl, redactConnectionString } from './connection-string.js';
import { pgTls } from './pg-tls.js';

export type PgClient = pg.Client;

/*
 * No session-level settings (SET …) here: PGlite serves every socket connection from one backend,
 * so a session setting would leak into the app's connections. Read-only access to the source is a
 * `BEGIN READ ONLY` transaction instead (see inTransaction), which PGlite's queue isolates.
 */
export interface ConnectOptions {
  /** Label shown in pg_stat_activity. */
  readonly applicationName?: string;
  /** CA file trusted beside Node's roots when the URL has no sslrootcert (see pg-tls.ts). */
  readonly defaultCaFile?: string;
}

/**
 * Opens one `pg` session; works the same on PGlite-over-socket, RDS and Aurora. TLS follows the URL's
 * sslmode (pg-tls.ts): verify-full unless the host is loopback or the URL says otherwise.
 */
export async function connect(connectionString: string, options: ConnectOptions = {}): Promise<PgClient> {
  if (!isPostgresUrl(connectionString)) {
    throw new TollgateError('connection string must be a postgres:// or postgresql:// URL with a host');
  }
  const tls = pgTls(connectionString, options.defaultCaFile ? { defaultCaFile: options.defaultCaFile } : {});
  const client = new pg.Client({
    connectionString: tls.url,
    ssl: tls.ssl,
    application_name: options.applicationName ?? 'tollgate',
    connectionTimeoutMillis: 15_000,
  });
  // An idle client whose server goes away emits 'error'; without a listener Node would crash.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (cause) {
    await client.end().catch(() => undefined);
    const message = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    // A certificate the client cannot verify says nothing about where it looked; name it.
    const reason = tls.trust && isCertificateError(cause) ? `${message} (trusted: ${tls.trust})` : message;
    throw new TollgateError(`cannot connect to ${redactConnectionString(connectionString)}: ${reason}`, {
      cause,
    });
  }
  return client;
}

export async function withClient<T>(
  connectionString: string,
  run: (client: PgClient) => Promise<T>,
  options: ConnectOptions = {},
): Promise<T> {
  const client = await connect(connectionString, options);
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs `work` in one transaction; any throw rolls it back and is rethrown unchanged. */
export async function inTransaction<T>(
  client: PgClient,
  work: () => Promise<T>,
  mode: 'READ WRITE' | 'READ ONLY' | 'REPEATABLE READ READ ONLY' = 'READ WRITE',
): Promise<T> {
  await client.query(
    mode === 'REPEATABLE READ READ ONLY'
      ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'
      : `BEGIN ${mode}`,
  );
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function isCertificateError(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /CERT|SELF_SIGNED|ISSUER|ALTNAME|UNABLE_TO_VERIFY/.test(code);
}
