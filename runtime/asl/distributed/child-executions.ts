import { randomUUID } from 'node:crypto';
import type { EngineClock } from '../../engine/clock.js';
import { toStatesError } from '../errors/states-error.js';
import type { Frame } from '../frame/frame.js';
import { toPayloadText } from '../payload-text.js';
import type { ChildProgram, ProgramOutcome } from '../program/states-block.js';
import type { MapRunProgress } from './map-run.js';

/** One child workflow execution of a Map Run, as ResultWriter reports it. */
export interface ChildExecution {
  readonly index: number;
  readonly name: string;
  readonly inputText: string;
  readonly startDate: number;
  readonly stopDate: number;
  readonly outcome: ProgramOutcome;
}

/**
 * Wraps a distributed Map's item processor so each run of it is a child execution of the Map
 * Run: counted for DescribeMapRun as it starts and ends, timed and kept for ResultWriter, and its
 * failed items counted against the tolerated failure threshold (a failed batch fails all its items).
 */
export class ChildExecutions {
  readonly ended: ChildExecution[] = [];
  failedItems = 0;
  private next = 0;

  constructor(
    private readonly progress: MapRunProgress,
    private readonly clock: EngineClock,
    private readonly itemsIn: (input: unknown) => number,
  ) {}

  program(processor: ChildProgram): ChildProgram {
    return {
      run: async (frame: Frame, input: unknown) => {
        const index = this.next++;
        const items = this.itemsIn(input);
        const startDate = this.clock.now();
        this.progress.childStarted(items);
        let outcome: ProgramOutcome;
        try {
          outcome = await processor.run(frame, input);
        } catch (thrown) {
          // Stopped with the Map (timeout, threshold) or the execution (StopExecution, shutdown).
          if (thrown instanceof Error && thrown.name === 'ExecutionAborted') {
            this.progress.childEnded(items, 'ABORTED');
            throw thrown;
          }
          outcome = { status: 'FAILED', error: toStatesError(thrown) };
        }
        this.progress.childEnded(items, outcome.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED');
        if (outcome.status === 'FAILED') this.failedItems += items;
        this.ended.push({
          index,
          name: randomUUID(),
          inputText: toPayloadText(input),
          startDate,
          stopDate: this.clock.now(),
          outcome,
        });
        return outcome;
      },
    };
  }
}
