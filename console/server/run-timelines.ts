import type { Clock } from '../../functions/shared/clock.js';
import { RunFold } from '../../model/run-fold.js';
import type { Timeline } from '../../model/run-timeline.js';
import { fullHistory, type SfnApi, toMs } from './sfn-api.js';

const MAX_CACHED = 500;

/**
 * Folded timelines of runs for the board (where each open run is) and the stage-duration chart
 * (the last N finished runs). A finished run's history no longer changes, so its fold is kept
 * until it is redriven (its stop date changes); open runs are folded afresh on each ask.
 */
export class RunTimelines {
  private readonly finished = new Map<string, { stopDate: number; timeline: Timeline }>();

  constructor(
    private readonly sfn: SfnApi,
    private readonly clock: Clock,
  ) {}

  async of(run: { executionArn: string; status: string; stopDate: number | null }): Promise<Timeline> {
    const running = run.status === 'RUNNING';
    const cached = this.finished.get(run.executionArn);
    if (!running && cached && cached.stopDate === run.stopDate) return cached.timeline;
    const events = await fullHistory(this.sfn, run.executionArn);
    const timeline = RunFold.timeline(
      events.map((e) => ({ ...e, timestamp: toMs(e.timestamp) })),
      { running, now: this.clock.now().getTime() },
    );
    if (!running && run.stopDate !== null) {
      if (this.finished.size >= MAX_CACHED) this.finished.delete(this.finished.keys().next().value!);
      this.finished.set(run.executionArn, { stopDate: run.stopDate, timeline });
    }
    return timeline;
  }

  /** Folds several runs, a few at a time so a long list does not hold the engine. */
  async many<T extends { executionArn: string; status: string; stopDate: number | null }>(
    runs: readonly T[],
  ): Promise<Array<{ run: T; timeline: Timeline }>> {
    const out: Array<{ run: T; timeline: Timeline }> = [];
    for (let i = 0; i < runs.length; i += 4) {
      const chunk = runs.slice(i, i + 4);
      out.push(...(await Promise.all(chunk.map(async (run) => ({ run, timeline: await this.of(run) })))));
    }
    return out;
  }
}
