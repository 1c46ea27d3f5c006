import { createHandler as approveHandler } from '../functions/approve/handler.js';
import { createLocalPipeline } from '../test/support/local-pipeline.js';
import type { BenchResult } from './bench-row.js';

/**
 * Latency from the `approve` call returning to the state after the gate entering, on the local
 * engine (real time, in-process function runner), over several runs of the example pipeline.
 */
interface HistoryEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly stateEnteredEventDetails?: { readonly name: string };
}

export async function benchApprovalLatency({ quick }: { quick: boolean }): Promise<BenchResult> {
  const runs = quick ? 5 : 15;
  const pipeline = await createLocalPipeline({ approval: true, realClock: true });
  const approve = approveHandler(async () => pipeline.runner.ports);
  const samples: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const run = await pipeline.start(pipeline.repo.commit(`bench ${i}`, { 'LATENCY.md': `${i}\n` }));
      let calledAt = 0;
      for (;;) {
        const [pending] = await pipeline.runner.ports.approvals.listPending({ executionArn: run });
        if (pending) {
          calledAt = Date.now();
          await approve({ approvalId: pending.id, decision: 'approve', comment: '', caller: 'ana' });
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      const result = await pipeline.finish(run);
      if (result.status !== 'SUCCEEDED') throw new Error(`run ${i} ended ${result.status}: ${result.cause}`);
      const { events } = (await pipeline.call('GetExecutionHistory', {
        executionArn: run,
        maxResults: 1000,
      })) as {
        events: HistoryEvent[];
      };
      const gateExit = events.findIndex(
        (e) =>
          e.type === 'TaskStateExited' &&
          (e as { stateExitedEventDetails?: { name: string } }).stateExitedEventDetails?.name ===
            'ApprovalGate',
      );
      const next = events.slice(gateExit + 1).find((e) => e.type.endsWith('StateEntered'));
      if (!next) throw new Error('no state entered after the gate');
      samples.push(Number(next.timestamp) * 1000 - calledAt);
    }
  } finally {
    await pipeline.close();
  }
  samples.sort((a, b) => a - b);
  const p50 = samples[Math.floor(samples.length / 2)]!;
  const p90 = samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.9))]!;
  return {
    rows: [
      {
        name: `approve → next state entered, p50 (${runs} runs)`,
        value: Math.max(0, p50),
        unit: 'ms',
        target: '≤ 100 ms',
        met: p50 <= 100,
      },
      { name: 'approve → next state entered, p90', value: Math.max(0, p90), unit: 'ms' },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatTable } = await import('./bench-row.js');
  console.log(
    formatTable(
      'approval latency',
      (await benchApprovalLatency({ quick: process.argv.includes('--quick') })).rows,
    ),
  );
}
