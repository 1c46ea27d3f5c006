import { deepEqual } from './json-value.js';
import type { FilterExpression, FilterOperand, Segment } from './path-ast.js';

/**
 * Every node a path selects (the path evaluator's selectAll). Passed in because filters hold paths
 * and paths hold filters: the two modules would otherwise import each other.
 */
export type SelectNodes = (root: unknown, segments: readonly Segment[], documentRoot: unknown) => unknown[];

type Resolved = { readonly present: true; readonly value: unknown } | { readonly present: false };

/**
 * Evaluates a `[?(...)]` predicate against one candidate node. As in Jayway, a comparison whose
 * side is missing or of another type is simply false; filters never raise errors.
 */
export function evaluateFilter(
  expression: FilterExpression,
  candidate: unknown,
  documentRoot: unknown,
  select: SelectNodes,
): boolean {
  switch (expression.kind) {
    case 'and':
      return (
        evaluateFilter(expression.left, candidate, documentRoot, select) &&
        evaluateFilter(expression.right, candidate, documentRoot, select)
      );
    case 'or':
      return (
        evaluateFilter(expression.left, candidate, documentRoot, select) ||
        evaluateFilter(expression.right, candidate, documentRoot, select)
      );
    case 'not':
      return !evaluateFilter(expression.operand, candidate, documentRoot, select);
    case 'exists':
      return resolve(expression.operand, candidate, documentRoot, select).present;
    case 'compare': {
      const left = resolve(expression.left, candidate, documentRoot, select);
      if (expression.right.kind === 'regex') {
        return left.present && typeof left.value === 'string' && expression.right.pattern.test(left.value);
      }
      const right = resolve(expression.right, candidate, documentRoot, select);
      if (!left.present || !right.present)
        return expression.operator === '!=' && left.present !== right.present;
      return compare(expression.operator, left.value, right.value);
    }
  }
}

function resolve(
  operand: FilterOperand,
  candidate: unknown,
  documentRoot: unknown,
  select: SelectNodes,
): Resolved {
  if (operand.kind === 'literal') return { present: true, value: operand.value };
  if (operand.kind === 'regex') return { present: false };
  const start = operand.root === '@' ? candidate : documentRoot;
  const values = select(start, operand.segments, documentRoot);
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
