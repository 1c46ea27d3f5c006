import { stageLabel } from './stage-catalogue.js';
import { stageOf } from './stage-of-state.js';

/**
 * Where a redrive would pick a run up. Step Functions (and the local engine) continue from the
 * top-level state the run last entered, with that state's input; states that succeeded are not run
 * again. When that state is a Fail state (every failure the pipeline catches ends in one) the
 * redrive can only fail again: the console's confirmation and `tollgate redrive` both say so, from
 * this one decision, and point at a retry instead.
 */
export interface RedriveStart {
  readonly state: string;
  readonly kind: string;
  readonly stage: string | null;
  readonly stageLabel: string | null;
  /** True when the state it resumes at is a Fail state. */
  readonly failsAgain: boolean;
}

/** The part of a history event this reads. */
interface EnteredEvent {
  readonly type?: string;
  readonly stateEnteredEventDetails?: { readonly name?: unknown };
}

/**
 * `topLevel`: the definition's top-level states by name, with their types. A state inside a Map or
 * Parallel is not where a redrive resumes, however late it was entered.
 */
export function redriveStart(
  events: readonly EnteredEvent[],
  topLevel: ReadonlyMap<string, string>,
): RedriveStart | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (!event.type?.endsWith('StateEntered')) continue;
    const name = event.stateEnteredEventDetails?.name;
    if (typeof name !== 'string') continue;
    const kind = topLevel.get(name);
    if (kind === undefined) continue;
    const stage = stageOf(name, kind);
    return {
      state: name,
      kind,
      stage,
      stageLabel: stage ? stageLabel(stage) : null,
      failsAgain: kind === 'Fail',
    };
  }
  return null;
}
