import { QueryLanguage } from '../query/query-language.js';
import { BaseState } from './base-state.js';
import {
  evaluateAssign,
  jsonPathAssign,
  jsonPathEffectiveInput,
  jsonPathStateOutput,
  stateOutput,
} from './io-processing.js';
import type { StateEvaluation } from './state-outcome.js';
import type { StateRun } from './state-run.js';

export class PassState extends BaseState {
  readonly type = 'Pass';

  protected evaluate(run: StateRun): StateEvaluation | Promise<StateEvaluation> {
    if (run.language === QueryLanguage.JSONata) return this.evaluateJsonata(run);
    // JSONPath needs no awaits: evaluated synchronously, a Pass state costs no promise turn at all.
    const input = jsonPathEffectiveInput(run);
    const result = 'Result' in this.definition ? this.definition.Result : input;
    const assigned = jsonPathAssign(run, this.definition.Assign, { result });
    const output = jsonPathStateOutput(run, result);
    return { output, next: this.nextState(), assigned };
  }

  private async evaluateJsonata(run: StateRun): Promise<StateEvaluation> {
    const assigned = await evaluateAssign(run, this.definition.Assign, { input: run.rawInput });
    const output = await stateOutput(run, run.rawInput, run.rawInput);
    return { output, next: this.nextState(), assigned };
  }
}
