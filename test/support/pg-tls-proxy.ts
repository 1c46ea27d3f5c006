import { connect, createServer, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/** Postgres' SSLRequest: length 8, then the magic code 80877103 (1234 << 16 | 5679). */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

export interface PgTlsProxy {
  readonly port: number;
  /** One entry per client connection: whether it asked for TLS and finished the handshake. */
  readonly sessions: Array<{ tls: boolean }>;
  close(): Promise<void>;
}

/**
 * A TLS-terminating front for a plain Postgres wire server, as RDS is to its engine: a client that
 * opens with SSLRequest gets 'S' and a TLS handshake with `cert`, then its decrypted stream goes to
 * the backend; a client that starts in clear text is passed through as is (a server without
 * `rds.force_ssl`). It models the protocol's TLS upgrade only, not GSSAPI encryption or direct TLS.
 */
export async function startPgTlsProxy(options: {
  backendPort: number;
  key: string;
  cert: string;
}): Promise<PgTlsProxy> {
  const sessions: Array<{ tls: boolean }> = [];
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    const session = { tls: false };
    sessions.push(session);
    client.once('data', (first: Buffer) => {
      client.pause();
      const backend = connect(options.backendPort, '127.0.0.1');
      open.add(backend);
      backend.on('close', () => open.delete(backend));
      backend.on('error', () => client.destroy());
      if (first.subarray(0, 8).equals(SSL_REQUEST)) {
        client.write('S');
        const secure = new TLSSocket(client, { isServer: true, key: options.key, cert: options.cert });
        secure.on('error', () => backend.destroy());
        secure.on('secure', () => {
          session.tls = true;
        });
        secure.pipe(backend).pipe(secure);
        client.resume();
      } else {
        backend.write(first);
        client.pipe(backend).pipe(client);
        client.resume();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    sessions,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
