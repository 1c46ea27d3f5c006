import { toStatesError } from '../errors/states-error.js';
import type { Frame } from '../frame/frame.js';
import { toPayloadText } from '../payload-text.js';
import type { BaseState } from '../states/base-state.js';
import { childBlocks, createState } from '../states/state-factory.js';
import type { StateOutcome } from '../states/state-outcome.js';
import { isStateStop } from '../states/stoppable-work.js';
import type { ChildProgram, ProgramOutcome, StatesBlock } from './states-block.js';

/** How many states in a row may run without a turn of the event loop (see `run`). */
const INLINE_STATES = 1000;

/** Observes transitions so the engine can checkpoint where a thread of work is. */
export type TransitionObserver = (event: {
  readonly frame: Frame;
  readonly stateName: string;
  readonly input: unknown;
  /** `input` as the payload text the state's Entered event records. */
  readonly inputText: string;
}) => Promise<void> | void;

/**
 * A compiled `StatesBlock`: runs states one after another until one ends or fails. It compiles the
 * blocks nested in its Map and Parallel states too, and hands them to those states.
 */
export class StateProgram implements ChildProgram {
  private readonly states = new Map<string, BaseState>();

  constructor(readonly block: StatesBlock) {
    for (const [name, def] of Object.entries(block.States)) {
      const children = childBlocks(def).map((child) => new StateProgram(child));
      this.states.set(name, createState(name, def, children));
    }
    // Most transitions follow `Next`: linked once here, they need no lookup by name per state.
    for (const state of this.states.values()) {
      const next = state.definition.Next;
      const target = typeof next === 'string' ? this.states.get(next) : undefined;
      if (target) state.nextLink = { name: next as string, state: target };
    }
  }

  state(name: string): BaseState | undefined {
    return this.states.get(name);
  }

  async run(
    frame: Frame,
    input: unknown,
    options: {
      inputText?: string;
      startAt?: string;
      onTransition?: TransitionObserver;
    } = {},
  ): Promise<ProgramOutcome> {
    let name = options.startAt ?? this.block.StartAt;
    let current = input;
    let text = options.inputText;
    let inline = 0;
    // The previous state's exit time, while nothing has run since it (no await, no turn of the
    // event loop): the next state is entered at that time, which spares a clock read per state.
    let enteredAt: number | undefined;
    let state = this.states.get(name);
    for (;;) {
      // A branch or iteration stopped by its Parallel or Map goes no further, even between states
      // that never wait on the signal themselves (Pass, Choice).
      const work = frame.services.workSignal;
      if (work?.aborted && isStateStop(work.reason)) throw work.reason;
      if (!state) throw new Error(`State '${name}' is not defined (definition was not validated)`);
      // Serialised once per transition: the previous state's Exited text is this one's input text.
      const inputText = text ?? toPayloadText(current);
      if (options.onTransition) {
        // Only awaited when the observer returns a promise: an await costs a turn of the
        // microtask queue per state even on a plain value.
        const observed = options.onTransition({ frame, stateName: name, input: current, inputText });
        if (observed) {
          await observed;
          enteredAt = undefined;
        }
      }
      let outcome: StateOutcome;
      try {
        const ran = state.run(frame, current, inputText, enteredAt);
        enteredAt = undefined;
        if (ran instanceof Promise) {
          outcome = await ran;
          inline = 0;
        } else {
          outcome = ran;
          if (outcome.kind === 'next') enteredAt = outcome.exitedAt;
          // States that finished without waiting run on in this loop with no promise turn; every
          // INLINE_STATES of them the loop gives the event loop a turn, so timers, I/O and API
          // calls (a StopExecution) are not held up by a long chain of Pass and Choice states.
          // Only before a next state: a turn after the last one would only delay the end (in
          // durable mode it splits the end from the events before it into a write of its own).
          if (outcome.kind === 'next' && ++inline >= INLINE_STATES) {
            inline = 0;
            await new Promise<void>((resolve) => setImmediate(resolve));
            enteredAt = undefined;
          }
        }
      } catch (thrown) {
        if (thrown instanceof Error && thrown.name === 'ExecutionAborted') throw thrown;
        return { status: 'FAILED', error: toStatesError(thrown) };
      }
      if (outcome.kind === 'failed') return { status: 'FAILED', error: outcome.error, failedState: state };
      if (outcome.kind === 'end') {
        return { status: 'SUCCEEDED', output: outcome.output, outputText: outcome.outputText };
      }
      name = outcome.next;
      const link = state.nextLink;
      state = link !== undefined && link.name === name ? link.state : this.states.get(name);
      current = outcome.output;
      text = outcome.outputText;
    }
  }
}
