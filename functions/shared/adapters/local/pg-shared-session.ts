import { dataRows, firstError, queryMessage } from './pg-wire-messages.js';

/**
 * What the wire server needs of a database: PGlite itself, or ThreadedPGlite standing in for one
 * that runs in a worker thread. `execProtocolRawStream` runs inside `runExclusive`.
 */
export interface WireDatabase {
  runExclusive<T>(fn: () => Promise<T>): Promise<T>;
  execProtocolRawStream(
    message: Uint8Array,
    options: { onRawData: (data: Uint8Array) => void },
  ): Promise<void>;
}

/**
 * PGlite is ONE Postgres backend session, and every socket connection to a volume shares it. This
 * class makes that session behave, to each connection, like a session of its own:
 *
 * 1. Turns. A connection holds the session from its first message until the backend is back at
 *    ReadyForQuery *idle*: a simple query, an extended-protocol batch up to its Sync, a COPY and a
 *    whole transaction run without another connection's messages in between. (pglite-socket only
 *    kept transactions together; a Parse/Bind/Execute from two clients could interleave.)
 * 2. Hand-over. When the next turn belongs to a different connection than the one whose settings
 *    are live, the session is reset (`SET SESSION AUTHORIZATION DEFAULT; RESET ALL`, always) and
 *    the incoming connection's own saved settings are applied. So a `SET search_path` in one
 *    client never reaches another. The outgoing connection's settings (`pg_settings` with source
 *    `session`, plus `role` and `session_authorization`, which pg_settings hides) are saved first
 *    if it may have changed one since they were last saved (`markMaybeChanged`: its SQL mentioned
 *    SET, RESET, set_config or DISCARD), so they hold again on its next turn. Reading pg_settings
 *    costs about 2 ms, ten hand-overs' worth, hence the filter: a function that changes a session
 *    setting without the statement calling it saying so loses that setting at the next hand-over
 *    (it never leaks; use SET in the statement, or SET LOCAL in a transaction).
 * 3. Prepared statements. Named protocol-level statements are renamed per connection by the caller
 *    (`statementPrefix`), so two clients may both prepare "s1"; a closing connection's are closed.
 * 4. When the last connection closes, the next turn starts with `DISCARD ALL` instead, dropping
 *    temporary tables, SQL-level PREPAREs, LISTENs, advisory locks and cursors.
 *
 * Not per connection (as with PgBouncer's transaction pooling): custom placeholder settings such
 * as `app.tenant` set at session level (RESET ALL clears them at every hand-over; use SET LOCAL),
 * and, while connections overlap, temporary tables, SQL-level PREPARE/DEALLOCATE ALL, LISTEN,
 * session advisory locks and WITH HOLD cursors.
 */
export class SharedSession {
  /** Connection whose settings are live in the backend; undefined after it closed. */
  private owner?: number;
  private holder?: number;
  private readonly waiting: Array<{ id: number; grant: () => void }> = [];
  private readonly saved = new Map<number, readonly string[]>();
  private readonly open = new Set<number>();
  private readonly maybeChanged = new Set<number>();
  private discardNext = false;

  constructor(private readonly db: WireDatabase) {}

  register(id: number): void {
    this.open.add(id);
    this.saved.set(id, []);
  }

  /** `id` ran SQL that may change a session setting: save its settings at the next hand-over. */
  markMaybeChanged(id: number): void {
    this.maybeChanged.add(id);
  }

  /** Connections waiting for their turn (tests and diagnostics). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  holds(id: number): boolean {
    return this.holder === id;
  }

  /** Waits for `id`'s turn and makes the session its own (see 2.); throws when that fails. */
  async acquire(id: number): Promise<void> {
    if (this.holder === id) return;
    if (this.holder !== undefined || this.waiting.length > 0) {
      await new Promise<void>((grant) => this.waiting.push({ id, grant }));
    }
    this.holder = id;
    try {
      if (this.owner !== id || this.discardNext) await this.handOver(id);
    } catch (error) {
      this.release(id);
      throw error;
    }
  }

  /** Ends `id`'s turn; the next waiting connection gets the session. */
  release(id: number): void {
    if (this.holder !== id) return;
    this.holder = undefined;
    const next = this.waiting.shift();
    if (next) {
      this.holder = next.id;
      next.grant();
    }
  }

  /** Runs one frontend message for the holder; output goes to `onData` as PGlite produces it. */
  exec(message: Uint8Array, onData: (data: Uint8Array) => void): Promise<void> {
    return this.db.runExclusive(() => this.db.execProtocolRawStream(message, { onRawData: onData }));
  }

  /**
   * Runs SQL for Tollgate itself within a turn; returns the rows, throws on an ErrorResponse. Not
   * `execProtocolRaw`: PGlite keeps the last stream's `onRawData` and would send the output to the
   * client that ran last.
   */
  internal(sql: string): Promise<Array<Array<string | null>>> {
    return queryRows(this.db, sql);
  }

  /** Forgets a closed connection. The caller has already ended its turn's work (see WireConnection). */
  unregister(id: number): void {
    this.open.delete(id);
    this.saved.delete(id);
    this.maybeChanged.delete(id);
    if (this.owner === id) this.owner = undefined;
    if (this.open.size === 0) this.discardNext = true;
    const queued = this.waiting.findIndex((w) => w.id === id);
    if (queued >= 0) this.waiting.splice(queued, 1);
    this.release(id);
  }

  private async handOver(to: number): Promise<void> {
    const from = this.owner;
    if (from !== undefined && this.open.has(from) && this.maybeChanged.delete(from)) {
      this.saved.set(from, await this.captureSettings());
    }
    this.owner = undefined;
    await this.internal(this.discardNext ? 'DISCARD ALL' : 'SET SESSION AUTHORIZATION DEFAULT; RESET ALL');
    this.discardNext = false;
    const restore = this.saved.get(to) ?? [];
    if (restore.length > 0) await this.internal(restore.join('; '));
    this.owner = to;
  }

  /** The live session-level settings, as statements that re-apply them. */
  private async captureSettings(): Promise<string[]> {
    // Plain settings first: some need the superuser the session is between hand-overs.
    const rows = await this.internal(
      `SELECT 0, name, setting FROM pg_catalog.pg_settings WHERE source = 'session'
       UNION ALL SELECT 1, 'session_authorization', session_user::text
        WHERE session_user <> (SELECT rolname FROM pg_catalog.pg_roles WHERE oid = 10)
       UNION ALL SELECT 2, 'role', pg_catalog.current_setting('role')
        WHERE pg_catalog.current_setting('role') <> 'none'
       ORDER BY 1`,
    );
    return rows.map(
      ([, name, value]) => `SELECT pg_catalog.set_config(${literal(name)}, ${literal(value)}, false)`,
    );
  }
}

/** An E'' literal: correct whatever standard_conforming_strings the outgoing client left behind. */
function literal(value: string | null): string {
  return `E'${(value ?? '').replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/**
 * Runs SQL on `db` in a turn of its own (simple query protocol) and returns the rows as text;
 * throws the first ErrorResponse's message. For Tollgate's own statements, never a client's.
 */
export async function queryRows(db: WireDatabase, sql: string): Promise<Array<Array<string | null>>> {
  const response = await collectRaw(db, queryMessage(sql));
  const error = firstError(response);
  if (error !== undefined) throw new Error(error);
  return dataRows(response);
}

/**
 * Runs one frontend message on `db` in a turn of its own and returns all PGlite answered, for
 * Tollgate's own messages (the startup answer, internal SQL), never a client's: those stream
 * (`exec`). Each chunk is copied: the callback's view is not promised to outlive the call.
 */
export async function collectRaw(db: WireDatabase, message: Uint8Array): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await db.runExclusive(() =>
    db.execProtocolRawStream(message, { onRawData: (data) => chunks.push(Buffer.from(data)) }),
  );
  return Buffer.concat(chunks);
}
