import jsonata from 'jsonata';
import { StatesError, StatesErrorName } from '../errors/states-error.js';
import { evalUnavailable, hash, parse, partition, random, range, uuid } from './jsonata-functions.js';

/** What `$states` holds while a field is evaluated. */
interface StatesBinding {
  readonly input: unknown;
  readonly context: unknown;
  readonly result?: unknown;
  readonly errorOutput?: unknown;
}

export interface JsonataScope {
  readonly states: StatesBinding;
  readonly variables: Readonly<Record<string, unknown>>;
}

const compiled = new Map<string, jsonata.Expression>();

function compile(expression: string, field: string, prefix: string): jsonata.Expression {
  let expr = compiled.get(expression);
  if (expr) return expr;
  try {
    expr = jsonata(expression);
  } catch (err) {
    const message = (err as Error).message;
    throw new StatesError(
      StatesErrorName.QueryEvaluationError,
      `${prefix} The JSONata expression '${expression}' specified for the field '${field}' could not be parsed: ${message}`,
      field,
    );
  }
  expr.registerFunction('partition', partition, '<an:a>');
  expr.registerFunction('range', range, '<nnn:a>');
  expr.registerFunction('hash', hash, '<ss:s>');
  expr.registerFunction('random', random, '<n?:n>');
  expr.registerFunction('uuid', uuid, '<:s>');
  expr.registerFunction('parse', parse, '<s:x>');
  expr.registerFunction('eval', evalUnavailable);
  compiled.set(expression, expr);
  return expr;
}

/** `{% expr %}` → `expr`; anything else → undefined. */
export function jsonataExpressionOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value;
  if (trimmed.startsWith('{%') && trimmed.endsWith('%}') && trimmed.length >= 4) {
    return trimmed.slice(2, -2).trim();
  }
  return undefined;
}

/** JSONata sequences carry a hidden `sequence` flag and may be frozen; return plain JSON. */
function toPlainJson(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return undefined;
  if (Array.isArray(value)) return value.map((v) => toPlainJson(v)).filter((v) => v !== undefined);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const plain = toPlainJson(v);
      if (plain !== undefined) out[k] = plain;
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/** Evaluates one JSONata expression for a field; `undefined` results raise AWS's error. */
export async function evaluateJsonata(
  expression: string,
  scope: JsonataScope,
  field: string,
  prefix: string,
): Promise<unknown> {
  const expr = compile(expression, field, prefix);
  let result: unknown;
  try {
    result = await expr.evaluate(scope.states.input, { ...scope.variables, states: scope.states });
  } catch (err) {
    if (err instanceof StatesError) {
      throw new StatesError(err.error, `${prefix} ${err.causeText ?? ''}`.trim(), field);
    }
    const e = err as { message?: string; code?: string };
    throw new StatesError(
      StatesErrorName.QueryEvaluationError,
      `${prefix} The JSONata expression '${expression}' specified for the field '${field}' threw an error during evaluation. ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`,
      field,
    );
  }
  if (result === undefined) {
    throw new StatesError(
      StatesErrorName.QueryEvaluationError,
      `${prefix} The JSONata expression '${expression}' specified for the field '${field}' returned nothing (undefined).`,
      field,
    );
  }
  return toPlainJson(result);
}

/**
 * Evaluates a JSONata-mode template: any string that is a whole `{% %}` expression is replaced
 * by its value, recursively through objects and arrays; other values are literals.
 */
export async function evaluateJsonataTemplate(
  template: unknown,
  scope: JsonataScope,
  field: string,
  prefix: string,
): Promise<unknown> {
  const expression = jsonataExpressionOf(template);
  if (expression !== undefined) return evaluateJsonata(expression, scope, field, prefix);
  if (Array.isArray(template)) {
    const out: unknown[] = [];
    for (let i = 0; i < template.length; i++) {
      out.push(await evaluateJsonataTemplate(template[i], scope, `${field}[${i}]`, prefix));
    }
    return out;
  }
  if (template !== null && typeof template === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      out[key] = await evaluateJsonataTemplate(value, scope, `${field}/${key}`, prefix);
    }
    return out;
  }
  return template;
}
