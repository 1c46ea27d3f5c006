import type { BenchResult } from './bench-row.js';

/**
 * `npm run bench -- reliability`: the two campaigns of the data-and-crash-safety promise, in one
 * table. The crash campaign kills the runtime at every state of a full pipeline run; the burst
 * campaign sends 200 commits at once against both lock tables. Each part loads its own modules.
 */
export async function benchReliability(opts: { quick: boolean }): Promise<BenchResult> {
  const { benchCrash } = await import('./reliability-crash.js');
  const { benchBurst } = await import('./reliability-burst.js');
  const crash = await benchCrash(opts);
  const burst = await benchBurst(opts);
  return {
    rows: [
      ...crash.rows.map((r) => ({ ...r, name: `crash: ${r.name}` })),
      ...burst.rows.map((r) => ({ ...r, name: `burst: ${r.name}` })),
    ],
  };
}
