import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { DATABASE_NAME, DATABASE_USER } from './database-password.js';
import { type ScramVerifier, scramVerifier } from './pg-scram.js';
import { SharedSession } from './pg-shared-session.js';
import { StartupAuthenticator } from './pg-wire-auth.js';
import { WireConnection } from './pg-wire-connection.js';
import { errorResponse, startupMessage } from './pg-wire-messages.js';

export interface PgWireServerOptions {
  readonly db: PGlite;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly maxConnections: number;
  /** Clients must prove they know it (SCRAM-SHA-256); it never crosses the socket. */
  readonly password: string;
}

/**
 * Serves one PGlite over the Postgres wire protocol, in place of pglite-socket's server: every
 * client authenticates with the volume's password (pg-wire-auth.ts) and gets a session of its own
 * on PGlite's single backend (pg-shared-session.ts).
 */
export class PgWireServer {
  private server?: Server;
  private readonly session: SharedSession;
  private readonly verifier: ScramVerifier;
  private readonly connections = new Set<WireConnection>();
  private nextId = 1;
  private ready?: Buffer;

  constructor(private readonly options: PgWireServerOptions) {
    this.session = new SharedSession(options.db);
    this.verifier = scramVerifier(options.password);
  }

  /** Listens; resolves with the port. Rejects with the listen error (EADDRINUSE...). */
  async start(): Promise<number> {
    // PGlite's own answer to a startup message: AuthenticationOk, the ParameterStatus values
    // clients need (server_version for pg_dump, standard_conforming_strings for libpq quoting...),
    // BackendKeyData and ReadyForQuery. Every authenticated client gets a copy.
    const db = this.options.db;
    const startup = startupMessage({ user: DATABASE_USER, database: DATABASE_NAME });
    const chunks: Buffer[] = [];
    await db.runExclusive(() =>
      db.execProtocolRawStream(startup, { onRawData: (data) => chunks.push(Buffer.from(data)) }),
    );
    this.ready = Buffer.concat(chunks);
    const server = createServer((socket) => this.accept(socket));
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  /** Stops listening and drops every client, undoing what each left unfinished, before the db closes. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const connection of this.connections) connection.destroySocket();
    await Promise.allSettled([...this.connections].map((c) => c.close()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Open client connections, and how many of them wait for their turn on the shared session. */
  stats(): { connections: number; waiting: number } {
    return { connections: this.connections.size, waiting: this.session.waitingCount };
  }

  private accept(socket: Socket): void {
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
