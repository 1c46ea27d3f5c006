import { StatesError, StatesErrorName } from '../errors/states-error.js';
import { evaluateJsonata, jsonataExpressionOf } from '../query/jsonata-evaluator.js';
import { evaluateChoiceRule } from '../query/jsonpath-port.js';
import { QueryLanguage } from '../query/query-language.js';
import { BaseState } from './base-state.js';
import { applyInputPath, applyOutputPath, evaluateAssign, stateOutput, withPrefix } from './io-processing.js';
import type { StateEvaluation } from './state-outcome.js';
import { derivedRun, jsonataScope, jsonPathScope, type StateRun } from './state-run.js';

type Rule = Record<string, unknown>;

export class ChoiceState extends BaseState {
  readonly type = 'Choice';

  protected async evaluate(run: StateRun): Promise<StateEvaluation> {
    const jsonata = run.language === QueryLanguage.JSONata;
    const input = jsonata ? run.rawInput : applyInputPath(run, run.rawInput);
    const choices = (this.definition.Choices as Rule[]) ?? [];
    for (const [index, rule] of choices.entries()) {
      if (await this.matches(run, rule, input, index)) {
        return this.leave(run, input, rule.Next as string, rule);
      }
    }
    if (typeof this.definition.Default === 'string') {
      return this.leave(run, input, this.definition.Default, this.definition);
    }
    throw new StatesError(StatesErrorName.NoChoiceMatched, `${run.prefix} No Matches!`);
  }

  private async matches(run: StateRun, rule: Rule, input: unknown, index: number): Promise<boolean> {
    if (run.language === QueryLanguage.JSONata) {
      const condition = rule.Condition;
      const expr = jsonataExpressionOf(condition);
      const value =
        expr === undefined
          ? condition
          : await evaluateJsonata(expr, jsonataScope(run), `Choices[${index}].Condition`, run.prefix);
      if (typeof value !== 'boolean') {
        throw new StatesError(
          StatesErrorName.QueryEvaluationError,
          `${run.prefix} The JSONata expression '${expr ?? String(condition)}' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '${typeOfValue(value)}' for value: ${JSON.stringify(value)}`,
          'Condition',
        );
      }
      return value;
    }
    try {
      return evaluateChoiceRule(rule, jsonPathScope(run, input));
    } catch (err) {
      withPrefix(run, err);
    }
  }

  /** A matched rule (or the state, for Default) may carry its own Assign/Output. */
  private async leave(run: StateRun, input: unknown, next: string, owner: Rule | Readonly<Rule>) {
    if (run.language === QueryLanguage.JSONata) {
      const assigned = await evaluateAssign(run, owner.Assign ?? this.definition.Assign, { input });
      const outputRun =
        owner.Output !== undefined ? derivedRun(run, { definition: { Output: owner.Output } }) : run;
      const output = await stateOutput(outputRun, input, input);
      return { output, next, assigned };
    }
    const assigned = await evaluateAssign(run, owner.Assign ?? this.definition.Assign, { result: input });
    return { output: applyOutputPath(run, input), next, assigned };
  }
}

function typeOfValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
