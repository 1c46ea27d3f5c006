import { StatesError, StatesErrorName, toStatesError } from '../errors/states-error.js';
import type { ContextObject } from '../frame/context-object.js';
import type { Frame } from '../frame/frame.js';
import type { HistoryEvent, StateExitedDetails } from '../history/history-event.js';
import { isoTimeCache } from '../iso-time.js';
import { exceedsPayloadQuota, NOT_TRUNCATED, toPayloadText } from '../payload-text.js';
import { isQueryLanguage, type QueryLanguage } from '../query/query-language.js';
import { publishEvaluationFailed } from './evaluation-failed.js';
import type { StateEvaluation, StateOutcome } from './state-outcome.js';
import { EnteredState, type StateRun } from './state-run.js';
import { isStateStop } from './stoppable-work.js';

/**
 * Each state type's Entered and Exited event types, written out: one string per type that every
 * state of it shares, and a literal, which V8 keeps internalised, so an event listener's Set or Map
 * lookup on `event.type` (the console's, the bench's) compares pointers instead of characters.
 * Built with a template, each state had a string of its own.
 */
const EVENT_TYPES: Readonly<Record<string, readonly [entered: string, exited: string]>> = {
  Pass: ['PassStateEntered', 'PassStateExited'],
  Task: ['TaskStateEntered', 'TaskStateExited'],
  Choice: ['ChoiceStateEntered', 'ChoiceStateExited'],
  Wait: ['WaitStateEntered', 'WaitStateExited'],
  Succeed: ['SucceedStateEntered', 'SucceedStateExited'],
  Fail: ['FailStateEntered', 'FailStateExited'],
  Parallel: ['ParallelStateEntered', 'ParallelStateExited'],
  Map: ['MapStateEntered', 'MapStateExited'],
};

/**
 * The template method every state runs through, in the order AWS applies (and LocalStack's
 * state.py mirrors): enter → input processing → evaluate → size quota → output processing →
 * next state → exit. Subclasses fill in `evaluate`.
 */
export abstract class BaseState {
  // Read from the definition once: every run asks for both, and reading a field the definition
  // lacks (most have no QueryLanguage) costs a lookup up its prototype chain each time.
  private readonly ownLanguage: QueryLanguage | undefined;
  private readonly next: string | undefined;

  constructor(
    readonly name: string,
    readonly definition: Readonly<Record<string, unknown>>,
  ) {
    const own = definition.QueryLanguage;
    this.ownLanguage = isQueryLanguage(own) ? own : undefined;
    this.next = typeof definition.Next === 'string' ? definition.Next : undefined;
  }

  /** `Pass`, `Task`… — the prefix of the `<Type>StateEntered` event. */
  abstract readonly type: string;

  /** The state `Next` names, as the program that holds both linked them (see StateProgram). */
  nextLink?: { readonly name: string; readonly state: BaseState };

  /**
   * The state's own work. A state whose work needs no waiting (a JSONPath Pass or Choice) returns
   * its evaluation directly, and `run` then finishes without a promise turn.
   */
  protected abstract evaluate(run: StateRun): StateEvaluation | Promise<StateEvaluation>;

  // The event type names, looked up once per state instead of built once per event (each would be
  // a new string kept alive by the history).
  private enteredTypeText?: string;
  private exitedTypeText?: string;
  private get enteredType(): string {
    this.enteredTypeText ??= EVENT_TYPES[this.type]?.[0] ?? `${this.type}StateEntered`;
    return this.enteredTypeText;
  }
  private get exitedType(): string {
    this.exitedTypeText ??= EVENT_TYPES[this.type]?.[1] ?? `${this.type}StateExited`;
    return this.exitedTypeText;
  }

  languageIn(frame: Frame): QueryLanguage {
    return this.ownLanguage ?? frame.defaultQueryLanguage;
  }

  /**
   * Runs the state. The result is a plain value when nothing along the way had to be waited for
   * (no durable write, no asynchronous evaluation), so the program can run chains of such states in
   * one loop; a promise otherwise. `enteredAt` is the time the state is entered, when the caller
   * has it: the previous state's exit, with nothing run in between (see StateOutcome.exitedAt).
   */
  run(
    frame: Frame,
    input: unknown,
    inputText?: string,
    enteredAt?: number,
  ): StateOutcome | Promise<StateOutcome> {
    const { recorder, clock } = frame.services;
    const enteredPrevious = frame.cursor.sourceEventId;
    // Replaying after a restart: the state keeps the time it was first entered (a Wait's due time).
    const replayed = recorder.pending(frame.cursor)[0];
    const enteredTime = replayed?.type === this.enteredType ? replayed.timestamp : (enteredAt ?? clock.now());
    // A new context object per state: earlier results may hold references into the old one.
    frame.context = withState(frame.context, { Name: this.name, EnteredTime: isoTime(enteredTime) });
    const enteredText = inputText ?? toPayloadText(input);
    // The Entered event happens at the time the state was entered (one clock read for both).
    const entered = recorder.addStateEntered(frame.cursor, this.enteredType, enteredTime, {
      name: this.name,
      input: enteredText,
      inputDetails: NOT_TRUNCATED,
    });
    if (typeof entered !== 'number') {
      return entered.then((id) =>
        this.evaluateEntered(this.entered(frame, input, id, enteredPrevious), enteredText),
      );
    }
    return this.evaluateEntered(this.entered(frame, input, entered, enteredPrevious), enteredText);
  }

  private entered(frame: Frame, input: unknown, enteredEventId: number, enteredPrevious: number): StateRun {
    return new EnteredState(
      frame,
      this.name,
      this.definition,
      this.languageIn(frame),
      input,
      enteredEventId,
      enteredPrevious,
    );
  }

  private evaluateEntered(run: StateRun, enteredText: string): StateOutcome | Promise<StateOutcome> {
    let evaluation: StateEvaluation | Promise<StateEvaluation>;
    try {
      evaluation = this.evaluate(run);
    } catch (thrown) {
      return this.evaluationFailed(run, thrown);
    }
    if (evaluation instanceof Promise) {
      return evaluation.then(
        (settled) => this.exit(run, enteredText, settled),
        (thrown) => this.evaluationFailed(run, thrown),
      );
    }
    return this.exit(run, enteredText, evaluation);
  }

  private async evaluationFailed(run: StateRun, thrown: unknown): Promise<StateOutcome> {
    // Stopped or shut down: not a failure of this state, and nothing more may be recorded for it.
    if (thrown instanceof Error && thrown.name === 'ExecutionAborted') {
      if (isStateStop(thrown)) await this.onStopped(run);
      throw thrown;
    }
    const error = toStatesError(thrown);
    if (error.error === StatesErrorName.QueryEvaluationError) await publishEvaluationFailed(run, error);
    await this.onFailed(run, error);
    return { kind: 'failed', error };
  }

  /** Size quota, assignments, the Exited event and the next state, once the state has evaluated. */
  private exit(
    run: StateRun,
    enteredText: string,
    evaluated: StateEvaluation,
  ): StateOutcome | Promise<StateOutcome> {
    const { frame } = run;
    const { recorder, clock } = frame.services;
    const evaluation = adoptRecordedExit(evaluated, recorder.pending(frame.cursor)[0], this.exitedType);
    // Payload values are never changed in place, so an output that is the input itself (a Pass or
    // Choice without Result or paths) has the input's text and needs no serialising again.
    const outputText = evaluation.output === run.rawInput ? enteredText : toPayloadText(evaluation.output);
    if (exceedsPayloadQuota(outputText)) {
      const error = new StatesError(
        StatesErrorName.DataLimitExceeded,
        `The state/task '${this.name}' returned a result with a size exceeding the maximum number of bytes service limit.`,
      );
      return this.onFailed(run, error).then(() => ({ kind: 'failed', error }));
    }
    if (evaluation.assigned !== undefined) frame.variables.assignAll(evaluation.assigned);
    if (!this.emitsExit(evaluation)) return nextOrEnd(evaluation, outputText, undefined);
    const exitedAt = clock.now();
    const outcome = nextOrEnd(evaluation, outputText, exitedAt);
    const exited = recorder.addStateExited(
      frame.cursor,
      this.exitedType,
      exitedAt,
      exitedDetails(this.name, outputText, evaluation.assigned),
    );
    return typeof exited === 'number' ? outcome : exited.then(() => outcome);
  }

  /** Fail states end without an Exited event; everything else exits. */
  protected emitsExit(_evaluation: StateEvaluation): boolean {
    return true;
  }

  /** Hook for states that record a `<Type>StateAborted` event when their branch is stopped. */
  protected async onStopped(_run: StateRun): Promise<void> {}

  /** Hook for states that publish a `<Type>StateFailed` event when they fail for good. */
  protected async onFailed(_run: StateRun, _error: StatesError): Promise<void> {}

  /** `Next` or `End`; validation guarantees exactly one is present. */
  protected nextState(): string | undefined {
    return this.next;
  }
}

/**
 * Replaying a state that had exited before a restart: its recorded output and assignments are the
 * truth the rest of the run was built on, even if evaluating it again would differ ($now(),
 * States.UUID()).
 */
function adoptRecordedExit(
  evaluation: StateEvaluation,
  recorded: HistoryEvent | undefined,
  exitedType: string,
): StateEvaluation {
  if (recorded?.type !== exitedType) return evaluation;
  const details = recorded.stateExitedEventDetails;
  if (details === null || typeof details !== 'object') return evaluation;
  if (!('output' in details) || typeof details.output !== 'string') return evaluation;
  const texts = 'assignedVariables' in details ? details.assignedVariables : undefined;
  const assigned: Record<string, unknown> = {};
  if (texts !== null && typeof texts === 'object') {
    for (const [name, text] of Object.entries(texts)) {
      if (typeof text === 'string') assigned[name] = JSON.parse(text);
    }
  }
  return {
    ...evaluation,
    output: JSON.parse(details.output),
    assigned: evaluation.assigned === undefined && texts === undefined ? undefined : assigned,
  };
}

const isoTime = isoTimeCache();

function nextOrEnd(
  evaluation: StateEvaluation,
  outputText: string,
  exitedAt: number | undefined,
): StateOutcome {
  if (evaluation.next === undefined) return { kind: 'end', output: evaluation.output, outputText };
  return {
    kind: 'next',
    next: evaluation.next,
    output: evaluation.output,
    outputText,
    caught: evaluation.caught,
    exitedAt,
  };
}

/**
 * `stateExitedEventDetails` in AWS's key order, built as one literal: spreading partial objects
 * into it cost more than the rest of a Pass state (V8's generic copy path on Node 20).
 */
function exitedDetails(
  name: string,
  output: string,
  assigned: Record<string, unknown> | undefined,
): StateExitedDetails {
  if (assigned === undefined) return { name, output, outputDetails: NOT_TRUNCATED };
  let texts: Record<string, string> | undefined;
  for (const key of Object.keys(assigned)) {
    texts ??= {};
    texts[key] = toPayloadText(assigned[key]);
  }
  if (texts === undefined) return { name, output, outputDetails: NOT_TRUNCATED };
  return {
    name,
    output,
    outputDetails: NOT_TRUNCATED,
    assignedVariables: texts,
    assignedVariablesDetails: NOT_TRUNCATED,
  };
}

/**
 * The context object with the state's `State`, keys in the order a spread would keep them
 * (`Execution`, `StateMachine`, `State`, then `Map` and `Task` as they were added), built
 * directly: `{...context, State}` takes V8's slow path (Node 20) and runs once per state.
 */
function withState(context: ContextObject, state: NonNullable<ContextObject['State']>): ContextObject {
  const next: ContextObject = {
    Execution: context.Execution,
    StateMachine: context.StateMachine,
    State: state,
  };
  // Outside a Map iteration or a task there is nothing else to copy: no key list to build.
  if (context.Map === undefined && context.Task === undefined) return next;
  for (const key of Object.keys(context) as (keyof ContextObject)[]) {
    if (key !== 'Execution' && key !== 'StateMachine' && key !== 'State') {
      (next as unknown as Record<string, unknown>)[key] = context[key];
    }
  }
  return next;
}
