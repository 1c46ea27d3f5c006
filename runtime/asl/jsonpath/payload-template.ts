import { StatesRuntimeError } from './errors.js';
import { evaluateIntrinsic } from './intrinsic/evaluate.js';
import { looksLikeIntrinsic } from './intrinsic/parser.js';
import type { RandomSource } from './intrinsic/random-source.js';
import { isJsonObject } from './json-value.js';
import { type JsonPathScope, resolveReference } from './reference.js';

export interface PayloadOptions {
  /** Randomness for States.MathRandom / States.UUID; defaults to node:crypto. */
  readonly random?: RandomSource;
}

/**
 * Builds Parameters / ResultSelector / ItemSelector / Arguments in JSONPath mode. A key ending in
 * `.$` loses the suffix and its string value is evaluated: an intrinsic call, a context path
 * (`$$.`), a variable (`$name`) or an input path (`$.`). Everything else is copied, recursing
 * into objects and arrays. The template is never mutated.
 */
export function applyPayloadTemplate(
  template: unknown,
  scope: JsonPathScope,
  options: PayloadOptions = {},
): unknown {
  if (Array.isArray(template)) return template.map((item) => applyPayloadTemplate(item, scope, options));
  if (!isJsonObject(template)) return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      if (typeof value !== 'string') {
        throw new StatesRuntimeError(
          `The value of the field '${key}' must be a JSONPath or an intrinsic function string`,
        );
      }
      out[key.slice(0, -2)] = evaluateExpression(value, scope, key, options);
    } else {
      out[key] = applyPayloadTemplate(value, scope, options);
    }
  }
  return out;
}

/** Evaluates the string value of one `.$` key. */
function evaluateExpression(
  expression: string,
  scope: JsonPathScope,
  field: string,
  options: PayloadOptions = {},
): unknown {
  if (looksLikeIntrinsic(expression))
    return evaluateIntrinsic(expression, scope, { field, random: options.random });
  return resolveReference(expression, scope, field);
}
