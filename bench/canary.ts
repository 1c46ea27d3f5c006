import type { BenchResult } from './bench-row.js';
import { benchCanaryDecision } from './canary-decision.js';
import { benchCanaryProxy } from './canary-proxy.js';

/**
 * `npm run bench -- canary`: the canary's own figures in one table. The decision latency is here;
 * the weighted proxy's overhead (requests/s and added p99 against the app straight) joins as its
 * own rows from its own module.
 */
export async function benchCanary({ quick }: { quick: boolean }): Promise<BenchResult> {
  return { rows: [...(await benchCanaryDecision({ quick })), ...(await benchCanaryProxy({ quick }))] };
}
