/**
 * Serves a volume, closes it and returns, leaving the process's PGlite thread pool with idle
 * spares: `tsx pool-exit-child.ts <dataDir>`. Prints the pool's counts; the process must then exit
 * on its own (an idle spare must never keep it alive).
 */
import { pgliteThreadPool } from '../../functions/shared/adapters/local/pglite-thread-pool.js';
import { VolumeHost } from '../../functions/shared/adapters/local/pglite-volumes.js';

const host = new VolumeHost({ dataDir: process.argv[2]! });
await host.open('app', 0);
await host.closeAll();
process.stdout.write(`${JSON.stringify(pgliteThreadPool.countsNow())}\n`);
