import { sleepUntil } from '../../engine/clock.js';
import { StatesError, StatesErrorName } from '../errors/states-error.js';
import { QueryLanguage } from '../query/query-language.js';
import { BaseState } from './base-state.js';
import { readDynamicField } from './dynamic-value.js';
import { applyInputPath, applyOutputPath, evaluateAssign, stateOutput } from './io-processing.js';
import type { StateEvaluation } from './state-outcome.js';
import type { StateRun } from './state-run.js';

// ISO-8601 with a mandatory time zone, as AWS requires for Timestamp/TimestampPath.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export class WaitState extends BaseState {
  readonly type = 'Wait';

  protected async evaluate(run: StateRun): Promise<StateEvaluation> {
    const jsonata = run.language === QueryLanguage.JSONata;
    const input = jsonata ? run.rawInput : applyInputPath(run, run.rawInput);
    const until = await this.dueTime(run, input);
    const { recorder, clock, signal } = run.frame.services;
    // Replaying a Wait that had already ended before a restart: its time has come and gone.
    const ended = recorder.pending(run.frame.cursor)[0]?.type === 'WaitStateExited';
    if (!ended) await sleepUntil(clock, until, signal);
    const assigned = await evaluateAssign(
      run,
      this.definition.Assign,
      jsonata ? { input } : { result: input },
    );
    const output = jsonata ? await stateOutput(run, input, input) : applyOutputPath(run, input);
    return { output, next: this.nextState(), assigned };
  }

  private async dueTime(run: StateRun, input: unknown): Promise<number> {
    // Counted from when the state was entered, so a resumed Wait fires at its original time.
    const entered = Date.parse(run.frame.context.State?.EnteredTime ?? '');
    const now = Number.isNaN(entered) ? run.frame.services.clock.now() : entered;
    const seconds = await readDynamicField(run, 'Seconds', input);
    if (seconds.present) {
      const v = seconds.value;
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        throw this.runtimeError(
          run,
          seconds.fromPath,
          `The SecondsPath parameter does not reference a valid integer`,
          v,
        );
      }
      if (v < 0) {
        throw this.runtimeError(
          run,
          seconds.fromPath,
          'The SecondsPath parameter references a negative value',
          v,
        );
      }
      return now + v * 1000;
    }
    const ts = await readDynamicField(run, 'Timestamp', input);
    const v = ts.value;
    if (typeof v !== 'string' || !TIMESTAMP.test(v) || Number.isNaN(Date.parse(v))) {
      throw this.runtimeError(
        run,
        ts.fromPath,
        'The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string',
        v,
      );
    }
    return Date.parse(v);
  }

  private runtimeError(
    run: StateRun,
    path: string | undefined,
    message: string,
    value: unknown,
  ): StatesError {
    if (run.language === QueryLanguage.JSONata) {
      return new StatesError(
        StatesErrorName.QueryEvaluationError,
        `${run.prefix} ${message.replace(/SecondsPath|TimestampPath/, (m) => m.replace('Path', ''))}: ${JSON.stringify(value)}`,
      );
    }
    return new StatesError(
      StatesErrorName.Runtime,
      `${run.prefix} ${message}: ${path} == ${JSON.stringify(value)}`,
    );
  }
}
