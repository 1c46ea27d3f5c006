import { stageLabel } from '../../model/stage-catalogue.js';
import { stageOf } from '../../model/stage-of-state.js';
import type { GraphModel } from './graph-model.js';
import type { WireHistoryEvent } from './sfn-api.js';

/**
 * Where a redrive would pick the run up, for the confirmation the console asks before one. Step
 * Functions (and the local engine, runtime/engine/ops/redrive-ops.ts) continue from the top-level
 * state the run last entered, with that state's input; states that succeeded are not run again.
 * When that state is a Fail state (the pipeline's failure path ends in one) the redrive can only
 * fail again, and the confirmation says so rather than offering a useless click.
 */
export interface RedriveStart {
  readonly state: string;
  readonly kind: string;
  readonly stage: string | null;
  readonly stageLabel: string | null;
  /** True when the state it resumes at is a Fail state. */
  readonly failsAgain: boolean;
}

export function redriveStart(events: readonly WireHistoryEvent[], graph: GraphModel): RedriveStart | null {
  const topLevel = new Map(graph.nodes.filter((n) => n.parent === null).map((n) => [n.name, n.kind]));
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (!event.type.endsWith('StateEntered')) continue;
    const name = (event as { stateEnteredEventDetails?: { name?: unknown } }).stateEnteredEventDetails?.name;
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
