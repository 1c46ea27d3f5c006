import { StatesError, StatesErrorName } from '../errors/states-error.js';
import { childThread } from '../history/history-cursor.js';
import type { ChildProgram, ProgramOutcome } from '../program/states-block.js';
import { ExecutionState } from './execution-state.js';
import { effectiveInput } from './io-processing.js';
import { readPositiveSeconds } from './positive-seconds.js';
import type { StateRun } from './state-run.js';
import { isStateStop, StoppableWork } from './stoppable-work.js';

/** A branch's end: its program's outcome, or stopped because a sibling failed or time ran out. */
type BranchEnd = ProgramOutcome | { readonly status: 'STOPPED'; readonly reason: Error };

export class ParallelState extends ExecutionState {
  readonly type = 'Parallel';
  private readonly branches: readonly ChildProgram[];

  /** `branches` are the Branches blocks, compiled by the enclosing program. */
  constructor(
    name: string,
    definition: Readonly<Record<string, unknown>>,
    branches: readonly ChildProgram[],
  ) {
    super(name, definition);
    this.branches = branches;
  }

  protected async attempt(run: StateRun): Promise<unknown> {
    const input = await effectiveInput(run);
    const timeout = await readPositiveSeconds(run, 'TimeoutSeconds');
    const { recorder, clock } = run.frame.services;
    const startedEventId = await recorder.add(run.frame.cursor, 'ParallelStateStarted');
    const work = new StoppableWork(run.frame);
    work.armTimeout(clock, clock.now(), timeout);
    const base = work.frame();
    const frames = this.branches.map((_, i) => base.fork(run.language, childThread(startedEventId, i)));
    let ends: BranchEnd[];
    try {
      ends = await Promise.all(
        this.branches.map(async (branch, i): Promise<BranchEnd> => {
          let outcome: ProgramOutcome;
          try {
            outcome = await branch.run(frames[i], input);
          } catch (thrown) {
            if (isStateStop(thrown)) return { status: 'STOPPED', reason: thrown };
            throw thrown;
          }
          if (outcome.status === 'FAILED') {
            // AWS marks a task-like state that failed a branch as aborted, since the Parallel
            // state (not the branch state) now owns the failure; the other branches stop.
            const failedType = outcome.failedState?.type;
            if (failedType === 'Task' || failedType === 'Map' || failedType === 'Parallel') {
              await recorder.add(frames[i].cursor, `${failedType}StateAborted`);
            }
            work.stop(`Branch ${i} failed`);
          }
          return outcome;
        }),
      );
    } finally {
      work.dispose();
    }
    for (const f of frames) run.frame.cursor.integrate(f.cursor);
    const failed = ends.find((o) => o.status === 'FAILED');
    if (failed?.status === 'FAILED') throw failed.error;
    if (work.timedOut) throw new StatesError(StatesErrorName.Timeout, undefined);
    // Stopped from outside (the enclosing branch or Map): unwind further.
    const stopped = ends.find((o) => o.status === 'STOPPED');
    if (stopped?.status === 'STOPPED') throw stopped.reason;
    await recorder.add(run.frame.cursor, 'ParallelStateSucceeded', undefined, { updateSource: false });
    return ends.map((o) => (o.status === 'SUCCEEDED' ? o.output : null));
  }

  protected override async publishFailed(run: StateRun): Promise<void> {
    await run.frame.services.recorder.add(run.frame.cursor, 'ParallelStateFailed');
  }
}
