import { QueryLanguage } from '../query/query-language.js';
import { BaseState } from './base-state.js';
import { applyInputPath, applyOutputPath, stateOutput } from './io-processing.js';
import type { StateEvaluation } from './state-outcome.js';
import type { StateRun } from './state-run.js';

export class SucceedState extends BaseState {
  readonly type = 'Succeed';

  protected async evaluate(run: StateRun): Promise<StateEvaluation> {
    if (run.language === QueryLanguage.JSONata) {
      return { output: await stateOutput(run, run.rawInput), next: undefined };
    }
    return { output: applyOutputPath(run, applyInputPath(run, run.rawInput)), next: undefined };
  }
}
