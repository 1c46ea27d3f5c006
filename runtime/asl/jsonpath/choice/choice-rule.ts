import { PathSyntaxError, StatesRuntimeError } from '../errors.js';
import { isJsonObject } from '../json-value.js';
import { type JsonPathScope, lookupReference } from '../reference.js';
import { COMPARISONS, TYPE_TESTS } from './operators.js';

// Keys a Choice rule may carry that are not part of its condition.
const NON_CONDITION_KEYS = new Set(['Variable', 'Next', 'Comment', 'Assign', 'Output']);

/**
 * Evaluates one JSONPath-mode Choice rule (a top-level choice or a nested one inside And/Or/Not).
 * A type mismatch is false, as on AWS. A Variable (or `...Path` value) that matches nothing is a
 * `States.Runtime` error, except for IsPresent, which exists to test exactly that.
 */
export function evaluateChoiceRule(rule: Record<string, unknown>, scope: JsonPathScope): boolean {
  if (!isJsonObject(rule)) throw new PathSyntaxError('A Choice rule must be a JSON object');
  if ('And' in rule) return nestedRules(rule.And, 'And').every((inner) => evaluateChoiceRule(inner, scope));
  if ('Or' in rule) return nestedRules(rule.Or, 'Or').some((inner) => evaluateChoiceRule(inner, scope));
  if ('Not' in rule) {
    if (!isJsonObject(rule.Not))
      throw new PathSyntaxError("The field 'Not' of a Choice rule must be an object");
    return !evaluateChoiceRule(rule.Not, scope);
  }

  const operator = Object.keys(rule).find((key) => !NON_CONDITION_KEYS.has(key));
  if (operator === undefined) throw new PathSyntaxError('A Choice rule has no comparison operator');
  const variable = rule.Variable;
  if (typeof variable !== 'string') throw new PathSyntaxError("A Choice rule needs a string 'Variable'");
  const expected = rule[operator];

  if (operator === 'IsPresent')
    return lookupReference(variable, scope).found === requireBoolean(operator, expected);

  const value = readConditionPath(variable, scope);
  const typeTest = TYPE_TESTS[operator];
  if (typeTest) return typeTest(value) === requireBoolean(operator, expected);

  const isPathForm = operator.endsWith('Path');
  const comparison = COMPARISONS[isPathForm ? operator.slice(0, -4) : operator];
  if (!comparison) throw new PathSyntaxError(`Unknown Choice operator '${operator}'`);
  if (!isPathForm) return comparison(value, expected);
  if (typeof expected !== 'string') throw new PathSyntaxError(`The value of '${operator}' must be a path`);
  return comparison(value, readConditionPath(expected, scope));
}

function readConditionPath(path: string, scope: JsonPathScope): unknown {
  const outcome = lookupReference(path, scope);
  if (!outcome.found) {
    throw new StatesRuntimeError(
      `Invalid path '${path}': The choice state's condition path references an invalid value.`,
    );
  }
  return outcome.value;
}

function nestedRules(value: unknown, operator: string): Record<string, unknown>[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every(isJsonObject)) {
    throw new PathSyntaxError(`The field '${operator}' of a Choice rule must be a non-empty array of rules`);
  }
  return value;
}

function requireBoolean(operator: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw new PathSyntaxError(`The value of '${operator}' must be true or false`);
  return value;
}
