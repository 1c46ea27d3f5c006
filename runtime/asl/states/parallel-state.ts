import { childThread } from '../history/history-cursor.js';
import type { ChildProgram } from '../program/states-block.js';
import { ExecutionState } from './execution-state.js';
import { effectiveInput } from './io-processing.js';
import type { StateRun } from './state-run.js';

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
    const { recorder } = run.frame.services;
    const startedEventId = await recorder.add(run.frame.cursor, 'ParallelStateStarted');
    const frames = this.branches.map((_, i) => run.frame.fork(run.language, childThread(startedEventId, i)));
    const outcomes = await Promise.all(
      this.branches.map(async (branch, i) => {
        const outcome = await branch.run(frames[i], input);
        // AWS marks a task-like state that failed a branch as aborted, since the Parallel state
        // (not the branch state) now owns the failure.
        const failedType = outcome.status === 'FAILED' ? outcome.failedState?.type : undefined;
        if (failedType === 'Task' || failedType === 'Map' || failedType === 'Parallel') {
          await recorder.add(frames[i].cursor, `${failedType}StateAborted`);
        }
        return outcome;
      }),
    );
    for (const f of frames) run.frame.cursor.integrate(f.cursor);
    const failed = outcomes.find((o) => o.status === 'FAILED');
    if (failed && failed.status === 'FAILED') {
      throw failed.error;
    }
    await recorder.add(run.frame.cursor, 'ParallelStateSucceeded', undefined, { updateSource: false });
    return outcomes.map((o) => (o.status === 'SUCCEEDED' ? o.output : null));
  }

  protected override async publishFailed(run: StateRun): Promise<void> {
    await run.frame.services.recorder.add(run.frame.cursor, 'ParallelStateFailed');
  }
}
