import type { ChildProgram, StatesBlock } from '../program/states-block.js';
import type { BaseState } from './base-state.js';
import { ChoiceState } from './choice-state.js';
import { FailState } from './fail-state.js';
import { MapState } from './map-state.js';
import { ParallelState } from './parallel-state.js';
import { PassState } from './pass-state.js';
import { SucceedState } from './succeed-state.js';
import { TaskState } from './task-state.js';
import { WaitState } from './wait-state.js';

type StateClass = new (
  name: string,
  definition: Readonly<Record<string, unknown>>,
  children: readonly ChildProgram[],
) => BaseState;

const STATE_TYPES: Readonly<Record<string, StateClass>> = {
  Pass: PassState,
  Task: TaskState,
  Choice: ChoiceState,
  Wait: WaitState,
  Succeed: SucceedState,
  Fail: FailState,
  Parallel: ParallelState,
  Map: MapState,
};

/** The blocks a state runs inside itself, in the order its constructor takes their programs. */
export function childBlocks(definition: Readonly<Record<string, unknown>>): readonly StatesBlock[] {
  if (definition.Type === 'Map') return [(definition.ItemProcessor ?? definition.Iterator) as StatesBlock];
  if (definition.Type === 'Parallel') return (definition.Branches as StatesBlock[] | undefined) ?? [];
  return [];
}

export function createState(
  name: string,
  definition: Readonly<Record<string, unknown>>,
  children: readonly ChildProgram[],
): BaseState {
  const Type = STATE_TYPES[String(definition.Type)];
  if (!Type) throw new Error(`Unknown state type '${String(definition.Type)}' for state '${name}'`);
  return new Type(name, definition, children);
}
