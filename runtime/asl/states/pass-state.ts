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

  protected async evaluate(run: StateRun): Promise<StateEvaluation> {
    if (run.language === QueryLanguage.JSONata) {
      const assigned = await evaluateAssign(run, this.definition.Assign, { input: run.rawInput });
      const output = await stateOutput(run, run.rawInput, run.rawInput);
      return { output, next: this.nextState(), assigned };
    }
    // JSONPath needs no awaits: called directly, a Pass state costs three fewer promise turns.
    const input = jsonPathEffectiveInput(run);
    const result = 'Result' in this.definition ? this.definition.Result : input;
    const assigned = jsonPathAssign(run, this.definition.Assign, { result });
    const output = jsonPathStateOutput(run, result);
    return { output, next: this.nextState(), assigned };
  }
}
