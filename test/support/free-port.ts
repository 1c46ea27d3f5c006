import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Ports this process already handed out: the OS may offer a just-closed port again at once. */
const handedOut = new Set<number>();

/**
 * The range tests take listening ports from: below the kernel's ephemeral range. A port the OS
 * handed out for `listen(0)` comes from that range, so once the test closed it (a deployer or
 * runtime restarted on the same port), any outgoing connection in the meantime (a health check)
 * could take it as its source port, and the restart failed with EADDRINUSE: seen in CI.
 */
function listenRange(): { low: number; high: number } {
  let ephemeralLow = 32768;
  try {
    ephemeralLow = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
  } catch {
    // Not Linux: IANA's dynamic range starts at 49152, which 32768 stays below as well.
  }
  const high = Math.min(ephemeralLow, 49152) - 1;
  return { low: Math.max(1024, high - 12_000), high };
}

const range = listenRange();

/**
 * A port nothing listens on, outside the ephemeral range, and one not handed out before in this
 * process, so a config that asks for several (one per app and database) never gets the same one
 * twice. Picked at random: the other test worker picks from the same range.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = randomInt(range.low, range.high + 1);
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
