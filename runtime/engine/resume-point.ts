import type { HistoryEvent } from '../asl/history/history-event.js';
import type { ExecutionRecord } from './engine-model.js';
import type { Checkpoint, RunStart } from './execution-runner.js';

/**
 * The crash window between a top-level state's Exited event and the checkpoint of the state after
 * it: the state is finished, so re-running it would record its work and its Exited event twice.
 * When the next step follows from the definition alone, recovery continues from there instead.
 *
 * It cannot for a Choice (the branch taken is not in the Exited event) or a state with Catch (a
 * caught error leaves through the catcher's Next); those re-run inside the state as before.
 */
export function continueAfterExit(
  exec: ExecutionRecord,
  ckpt: Checkpoint,
  entered: HistoryEvent,
): RunStart | undefined {
  const events = exec.history.events;
  const exited = findExited(events, entered.id, ckpt.stateName);
  if (!exited) return undefined;
  const states = (JSON.parse(exec.definition) as { States: Record<string, Record<string, unknown>> }).States;
  const def = states[ckpt.stateName];
  if (!def || def.Type === 'Choice' || def.Catch !== undefined) return undefined;
  const details = exited.stateExitedEventDetails as {
    output?: string;
    assignedVariables?: Record<string, string>;
  };
  if (details.output === undefined) return undefined;
  const output = JSON.parse(details.output) as unknown;
  const variables = { ...ckpt.variables };
  for (const [name, text] of Object.entries(details.assignedVariables ?? {}))
    variables[name] = JSON.parse(text);
  const sourceEventId = events[events.length - 1].id;
  if (def.End === true || def.Type === 'Succeed') {
    return { fresh: false, variables, sourceEventId, settled: { output } };
  }
  if (typeof def.Next !== 'string') return undefined;
  return { fresh: false, startAt: def.Next, input: output, variables, sourceEventId };
}

function findExited(
  events: readonly HistoryEvent[],
  enteredId: number,
  name: string,
): HistoryEvent | undefined {
  for (let i = events.length - 1; i >= 0 && events[i].id > enteredId; i--) {
    const e = events[i];
    if (!e.type.endsWith('StateExited')) continue;
    if ((e.stateExitedEventDetails as { name?: string } | undefined)?.name === name) return e;
  }
  return undefined;
}
