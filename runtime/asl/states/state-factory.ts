import type { BaseState } from './base-state.js';
import { ChoiceState } from './choice-state.js';
import { FailState } from './fail-state.js';
import { MapState } from './map-state.js';
import { ParallelState } from './parallel-state.js';
import { PassState } from './pass-state.js';
import { SucceedState } from './succeed-state.js';
import { TaskState } from './task-state.js';
import { WaitState } from './wait-state.js';

type StateClass = new (name: string, definition: Readonly<Record<string, unknown>>) => BaseState;

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

export function createState(name: string, definition: Readonly<Record<string, unknown>>): BaseState {
  const Type = STATE_TYPES[String(definition.Type)];
  if (!Type) throw new Error(`Unknown state type '${String(definition.Type)}' for state '${name}'`);
  return new Type(name, definition);
}
