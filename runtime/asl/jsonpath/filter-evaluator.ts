import { deepEqual } from './json-value.js';
import type { FilterExpression, FilterOperand } from './path-ast.js';
import { selectAll } from './path-evaluator.js';

type Resolved = { readonly present: true; readonly value: unknown } | { readonly present: false };

/**
 * Evaluates a `[?(...)]` predicate against one candidate node. As in Jayway, a comparison whose
 * side is missing or of another type is simply false; filters never raise errors.
 */
export function evaluateFilter(
  expression: FilterExpression,
  candidate: unknown,
  documentRoot: unknown,
): boolean {
  switch (expression.kind) {
    case 'and':
      return (
        evaluateFilter(expression.left, candidate, documentRoot) &&
        evaluateFilter(expression.right, candidate, documentRoot)
      );
    case 'or':
      return (
        evaluateFilter(expression.left, candidate, documentRoot) ||
        evaluateFilter(expression.right, candidate, documentRoot)
      );
    case 'not':
      return !evaluateFilter(expression.operand, candidate, documentRoot);
    case 'exists':
      return resolve(expression.operand, candidate, documentRoot).present;
    case 'compare': {
      const left = resolve(expression.left, candidate, documentRoot);
      if (expression.right.kind === 'regex') {
        return left.present && typeof left.value === 'string' && expression.right.pattern.test(left.value);
      }
      const right = resolve(expression.right, candidate, documentRoot);
      if (!left.present || !right.present)
        return expression.operator === '!=' && left.present !== right.present;
      return compare(expression.operator, left.value, right.value);
    }
  }
}

function resolve(operand: FilterOperand, candidate: unknown, documentRoot: unknown): Resolved {
  if (operand.kind === 'literal') return { present: true, value: operand.value };
  if (operand.kind === 'regex') return { present: false };
  const start = operand.root === '@' ? candidate : documentRoot;
  const values = selectAll(start, operand.segments, documentRoot);
  return values.length === 0 ? { present: false } : { present: true, value: values[0] };
}

function compare(operator: string, left: unknown, right: unknown): boolean {
  switch (operator) {
    case '==':
      return deepEqual(left, right);
    case '!=':
      return !deepEqual(left, right);
    default: {
      const bothNumbers = typeof left === 'number' && typeof right === 'number';
      const bothStrings = typeof left === 'string' && typeof right === 'string';
      if (!bothNumbers && !bothStrings) return false;
      const a = left as number | string;
      const b = right as number | string;
      if (operator === '<') return a < b;
      if (operator === '<=') return a <= b;
      if (operator === '>') return a > b;
      return a >= b;
    }
  }
}
