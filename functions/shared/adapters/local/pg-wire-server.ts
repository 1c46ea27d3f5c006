import { createServer, type Server, type Socket } from 'node:net';
import { DATABASE_NAME, DATABASE_USER } from './database-password.js';
import { type ScramVerifier, scramVerifier } from './pg-scram.js';
import { SharedSession, type WireDatabase } from './pg-shared-session.js';
import { StartupAuthenticator } from './pg-wire-auth.js';
import { WireConnection } from './pg-wire-connection.js';
import { errorResponse, startupMessage } from './pg-wire-messages.js';

export interface PgWireServerOptions {
  readonly db: WireDatabase;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /**
   * A Unix socket to listen on instead of host:port (a staged clone's, in a 0700 directory of its
   * own); the password is still asked for.
   */
  readonly path?: string;
  readonly maxConnections: number;
  /** Clients must prove they know it (SCRAM-SHA-256); it never crosses the socket. */
  readonly password: string;
}

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
      if (this.options.path) server.listen(this.options.path, listening);
      else server.listen(this.options.port, this.options.host, listening);
    });
    this.server = server;
    const address = server.address();
    if (this.options.path) return 0;
    return typeof address === 'object' && address ? address.port : this.options.port;
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
async function readyMessages(db: WireDatabase): Promise<Buffer> {
  const startup = startupMessage({ user: DATABASE_USER, database: DATABASE_NAME });
  const chunks: Buffer[] = [];
  await db.runExclusive(() =>
    db.execProtocolRawStream(startup, { onRawData: (data) => chunks.push(Buffer.from(data)) }),
  );
  return Buffer.concat(chunks);
}
