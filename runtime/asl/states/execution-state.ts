import { sleepUntil } from '../../engine/clock.js';
import { Catcher, type CatcherDefinition, errorOutput } from '../errors/catcher.js';
import { Retrier, type RetrierDefinition } from '../errors/retrier.js';
import { type StatesError, StatesErrorName, toStatesError } from '../errors/states-error.js';
import { evaluateJsonataTemplate } from '../query/jsonata-evaluator.js';
import { applyResultPath } from '../query/jsonpath-port.js';
import { QueryLanguage } from '../query/query-language.js';
import { BaseState } from './base-state.js';
import { publishEvaluationFailed } from './evaluation-failed.js';
import { evaluateAssign, stateOutput, withPrefix } from './io-processing.js';
import type { StateEvaluation } from './state-outcome.js';
import { derivedRun, jsonataScope, type StateRun } from './state-run.js';

/**
 * Task, Map and Parallel: states whose work can fail and be retried or caught. `attempt` runs the
 * work once; this class owns Retry, Catch and the output steps that follow a success.
 */
export abstract class ExecutionState extends BaseState {
  protected abstract attempt(run: StateRun, retryCount: number): Promise<unknown>;

  /** Published when an attempt fails and will not be retried (MapStateFailed, ParallelStateFailed). */
  protected async publishFailed(_run: StateRun): Promise<void> {}

  /** Stopped while running (a sibling branch failed, the enclosing state timed out): AWS records it. */
  protected override async onStopped(run: StateRun): Promise<void> {
    await run.frame.services.recorder.add(run.frame.cursor, `${this.type}StateAborted`);
  }

  protected async evaluate(run: StateRun): Promise<StateEvaluation> {
    const retriers = ((this.definition.Retry as RetrierDefinition[]) ?? []).map((r) => new Retrier(r));
    const catchers = ((this.definition.Catch as CatcherDefinition[]) ?? []).map((c) => new Catcher(c));
    let retryCount = 0;
    for (;;) {
      let result: unknown;
      try {
        result = await this.attempt(run, retryCount);
      } catch (thrown) {
        const error = toStatesError(thrown);
        if (error.error === StatesErrorName.Runtime || isAbort(thrown)) throw thrown;
        if (error.error === StatesErrorName.QueryEvaluationError) await publishEvaluationFailed(run, error);
        const retrier = retriers.find((r) => r.matches(error.error));
        const delay = retrier?.nextDelayMs();
        if (delay !== undefined) {
          const { clock, signal, recorder } = run.frame.services;
          // Replaying: the retry's events are in the history, so its wait is long over.
          if (recorder.pending(run.frame.cursor).length === 0) {
            await sleepUntil(clock, clock.now() + delay, signal);
          }
          retryCount += 1;
          continue;
        }
        await this.publishFailed(run);
        const catcher = catchers.find((c) => c.matches(error.error));
        if (!catcher) throw error;
        return this.caught(run, catcher, error);
      }
      return this.succeeded(run, result);
    }
  }

  private async succeeded(run: StateRun, result: unknown): Promise<StateEvaluation> {
    const assignSource =
      run.language === QueryLanguage.JSONPath && this.definition.ResultSelector !== undefined
        ? await stateOutput(
            derivedRun(run, { definition: { ResultSelector: this.definition.ResultSelector } }),
            result,
          )
        : result;
    const assigned = await evaluateAssign(run, this.definition.Assign, { result: assignSource });
    const output = await stateOutput(run, result);
    return { output, next: this.nextState(), assigned };
  }

  private async caught(run: StateRun, catcher: Catcher, error: StatesError): Promise<StateEvaluation> {
    const errOut = errorOutput(error.error, error.causeText);
    const def = catcher.definition;
    if (run.language === QueryLanguage.JSONata) {
      const assigned = await evaluateAssign(run, def.Assign, { errorOutput: errOut });
      const output =
        def.Output === undefined
          ? errOut
          : await evaluateJsonataTemplate(
              def.Output,
              jsonataScope(run, { errorOutput: errOut }),
              'Output',
              run.prefix,
            );
      return { output, next: def.Next, assigned, caught: error };
    }
    const assigned = await evaluateAssign(run, def.Assign, { errorOutput: errOut });
    let output: unknown;
    try {
      output = 'ResultPath' in def ? applyResultPath(run.rawInput, def.ResultPath, errOut) : errOut;
    } catch (err) {
      withPrefix(run, err);
    }
    return { output, next: def.Next, assigned, caught: error };
  }
}

function isAbort(thrown: unknown): boolean {
  return thrown instanceof Error && thrown.name === 'ExecutionAborted';
}
