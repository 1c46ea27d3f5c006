import { QueryLanguage } from '../query/query-language.js';
import { BaseState } from './base-state.js';
import { effectiveInput, evaluateAssign, stateOutput } from './io-processing.js';
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
    const input = await effectiveInput(run);
    const result = 'Result' in this.definition ? this.definition.Result : input;
    const assigned = await evaluateAssign(run, this.definition.Assign, { result });
    const output = await stateOutput(run, result);
    return { output, next: this.nextState(), assigned };
  }
}
