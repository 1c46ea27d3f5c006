import { createServer, type Server, type Socket } from 'node:net';
import { InvalidInputError } from '../../errors.js';
import { DATABASE_NAME, DATABASE_USER } from './database-password.js';
import { type ScramVerifier, scramVerifier } from './pg-scram.js';
import { collectRaw, SharedSession, type WireDatabase } from './pg-shared-session.js';
import { StartupAuthenticator } from './pg-wire-auth.js';
import { WireConnection } from './pg-wire-connection.js';
import { errorResponse, startupMessage } from './pg-wire-messages.js';

interface PgWireServerCommon {
  readonly db: WireDatabase;
  readonly maxConnections: number;
  /** Clients must prove they know it (SCRAM-SHA-256); it never crosses the socket. */
  readonly password: string;
}

/** Listens on a TCP address. */
interface PgWireTcpOptions extends PgWireServerCommon {
  /** Never '': Node would take it as every interface. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly path?: never;
}

/**
 * Listens on a Unix socket instead (a staged clone's, in a 0700 directory of its own); the
 * password is still asked for.
 */
interface PgWireSocketOptions extends PgWireServerCommon {
  readonly path: string;
  readonly host?: never;
  readonly port?: never;
}

export type PgWireServerOptions = PgWireTcpOptions | PgWireSocketOptions;

/**
 * Serves one PGlite (in this thread or, through ThreadedPGlite, in a worker) over the Postgres wire protocol, in place of pglite-socket's server: every
 * client authenticates with the volume's password (pg-wire-auth.ts) and gets a session of its own
 * on PGlite's single backend (pg-shared-session.ts).
 */
export class PgWireServer {
  private server?: Server;
  private session: SharedSession;
  private readonly verifier: ScramVerifier;
  private readonly connections = new Set<WireConnection>();
  private nextId = 1;
  private ready?: Buffer;
  /** Sockets accepted while suspended: they get the next database once `resume` hands it over. */
  private parked?: Socket[];

  constructor(private readonly options: PgWireServerOptions) {
    checkOptions(options);
    this.session = new SharedSession(options.db);
    this.verifier = scramVerifier(options.password);
  }

  /** Listens; resolves with the port (0 on a Unix socket). Rejects with the listen error (EADDRINUSE...). */
  async start(): Promise<number> {
    this.ready = await readyMessages(this.options.db);
    const server = createServer((socket) => this.accept(socket));
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const listening = () => {
        server.off('error', reject);
        resolve();
      };
      const options = this.options;
      if (options.path !== undefined) server.listen(options.path, listening);
      else server.listen(options.port, options.host, listening);
    });
    this.server = server;
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Stops listening and drops every client, undoing what each left unfinished, before the db closes. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.parked ?? []) socket.destroy();
    this.parked = undefined;
    for (const connection of this.connections) connection.destroySocket();
    await Promise.allSettled([...this.connections].map((c) => c.close()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Drops every client (their sessions belong to the database going away) but keeps listening:
   * clients that connect from now on wait, unanswered, for `resume`. Synchronous up to its first
   * await, so no connection accepted after the call reaches the old database.
   */
  async suspend(): Promise<void> {
    this.parked ??= [];
    this.ready = undefined;
    for (const connection of this.connections) connection.destroySocket();
    await Promise.allSettled([...this.connections].map((c) => c.close()));
  }

  /** Serves `db` from now on, on the same listener; the clients that waited are let in. */
  async resume(db: WireDatabase): Promise<void> {
    if (!this.parked) throw new Error('PgWireServer.resume without suspend');
    this.session = new SharedSession(db);
    this.ready = await readyMessages(db);
    const parked = this.parked;
    this.parked = undefined;
    for (const socket of parked) if (!socket.destroyed) this.accept(socket);
  }

  /** Open client connections, how many wait for their turn, and how many wait for `resume`. */
  stats(): { connections: number; waiting: number; parked: number } {
    return {
      connections: this.connections.size,
      waiting: this.session.waitingCount,
      parked: this.parked?.length ?? 0,
    };
  }

  private accept(socket: Socket): void {
    if (this.server && this.parked) {
      socket.on('error', () => undefined);
      this.parked.push(socket);
      return;
    }
    if (!this.server || !this.ready) {
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.options.maxConnections) {
      // Postgres' answer when max_connections is reached, so clients report it as such.
      socket.on('error', () => undefined);
      socket.end(errorResponse('FATAL', '53300', 'sorry, too many clients already'), () => socket.destroy());
      return;
    }
    const id = this.nextId++;
    const auth = new StartupAuthenticator(this.verifier, this.ready);
    const connection = new WireConnection(id, socket, this.session, auth, (c) => this.connections.delete(c));
    this.connections.add(connection);
  }
}

/**
 * PGlite's own answer to a startup message: AuthenticationOk, the ParameterStatus values clients
 * need (server_version for pg_dump, standard_conforming_strings for libpq quoting...),
 * BackendKeyData and ReadyForQuery. Every authenticated client gets a copy.
 */
function readyMessages(db: WireDatabase): Promise<Buffer> {
  return collectRaw(db, startupMessage({ user: DATABASE_USER, database: DATABASE_NAME }));
}

/** Options from JavaScript or a cast are not held to the types: each mistake is refused on one line. */
function checkOptions(options: PgWireServerOptions): void {
  const { host, port, path } = options as { host?: unknown; port?: unknown; path?: unknown };
  if (path !== undefined) {
    if (host !== undefined || port !== undefined) {
      throw new InvalidInputError('PgWireServer listens on host and port or on path, not both');
    }
    if (typeof path !== 'string' || path === '') {
      throw new InvalidInputError(
        `PgWireServer path must be a non-empty string, got ${JSON.stringify(path)}`,
      );
    }
  } else {
    if (typeof host !== 'string' || host === '') {
      throw new InvalidInputError(
        `PgWireServer host must be a non-empty string ('' listens on every interface), got ${JSON.stringify(host)}`,
      );
    }
    if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535) {
      throw new InvalidInputError(`PgWireServer port must be an integer 0-65535, got ${String(port)}`);
    }
  }
  if (!Number.isInteger(options.maxConnections) || options.maxConnections < 1) {
    throw new InvalidInputError(
      `PgWireServer maxConnections must be a positive integer, got ${String(options.maxConnections)}`,
    );
  }
  if (typeof options.password !== 'string' || options.password === '') {
    throw new InvalidInputError('PgWireServer password must be a non-empty string');
  }
}
