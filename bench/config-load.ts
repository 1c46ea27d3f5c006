import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../functions/shared/config/index.js';
import type { BenchResult } from './bench-row.js';

const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'orders-service');

/**
 * What loading `tollgate.config.ts` in a child process (so a config that exits or hangs cannot take
 * the CLI down) costs per load, next to the bare Node + tsx start-up that any child pays.
 */
export async function benchConfigLoad({ quick }: { quick: boolean }): Promise<BenchResult> {
  const runs = quick ? 2 : 5;
  await loadConfig(EXAMPLE); // warm the file cache
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await loadConfig(EXAMPLE);
  const child = (performance.now() - t0) / runs;
  const t1 = performance.now();
  for (let i = 0; i < runs; i++)
    spawnSync(process.execPath, ['--import', 'tsx', '-e', '0'], { stdio: 'ignore' });
  const bare = (performance.now() - t1) / runs;
  return {
    rows: [
      {
        name: 'loadConfig of the example (child process, tsx)',
        value: Math.round(child),
        unit: 'ms',
        peer: `node --import tsx -e 0: ${Math.round(bare)} ms`,
        ratio: child / bare,
        target: '≤ 3 × a bare child',
        met: child <= 3 * bare,
      },
    ],
  };
}
