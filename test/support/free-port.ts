import { createServer } from 'node:net';

/** Ports this process already handed out: the OS may offer a just-closed port again at once. */
const handedOut = new Set<number>();

/**
 * A port nothing listens on, and one not handed out before in this process, so a config that asks
 * for several (one per app and database) never gets the same one twice.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
