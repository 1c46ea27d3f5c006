import type { StageId } from '../../model/stage-id.js';
import type { State, StateMachineDefinition } from './asl-types.js';
import { type Block, renderBlock, walk } from './declared-state.js';

/**
 * A whole machine: the ASL to write out, and what the declarations say beyond it (each state's
 * stage, the functions it calls), so the stage catalogue and the task list are read from here.
 */
export interface StateMachine<F extends string> {
  readonly definition: StateMachineDefinition;
  /** The Lambda functions the machine calls, in order of first use. */
  readonly functions: readonly F[];
  /** Every state's stage, Map bodies included; `null` for states that only route. */
  readonly stageOfState: ReadonlyMap<string, StageId | null>;
}

export function stateMachine<F extends string>(
  header: { readonly Comment: string; readonly TimeoutSeconds: number },
  body: Block<F>,
): StateMachine<F> {
  checkTransitions(body);
  const functions: F[] = [];
  const stageOfState = new Map<string, StageId | null>();
  for (const [name, declared] of walk(body)) {
    if (stageOfState.has(name))
      throw new Error(
        `state name ${name} is declared twice; ASL state names are unique in the whole machine`,
      );
    stageOfState.set(name, declared.stage);
    if (declared.fn && !functions.includes(declared.fn as F)) functions.push(declared.fn as F);
  }
  return {
    definition: {
      Comment: header.Comment,
      QueryLanguage: 'JSONata',
      TimeoutSeconds: header.TimeoutSeconds,
      ...renderBlock(body),
    },
    functions,
    stageOfState,
  };
}

/** Every transition of a block names a state of that same block (ASL cannot jump into or out of a Map). */
function checkTransitions(b: Block): void {
  for (const [name, declared] of Object.entries(b.states)) {
    for (const target of targetsOf(declared.asl))
      if (!Object.hasOwn(b.states, target))
        throw new Error(`state ${name} goes to ${target}, which is not a state of its block`);
    if (declared.body) checkTransitions(declared.body);
  }
}

function targetsOf(state: State): string[] {
  const targets: string[] = [];
  if ('Next' in state && state.Next) targets.push(state.Next);
  if ('Catch' in state) for (const c of state.Catch ?? []) targets.push(c.Next);
  if (state.Type === 'Choice') targets.push(...state.Choices.map((c) => c.Next), state.Default);
  return targets;
}
