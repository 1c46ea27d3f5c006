import { compileCidr } from './pattern-cidr.js';
import type { PathSegment, ValueMatcher } from './pattern-model.js';
import { invalid, isPlainObject } from './pattern-model.js';
import { compileNumeric, patternNumber } from './pattern-numbers.js';
import {
  anythingBut,
  anythingButStrings,
  equalsIgnoreCase,
  exactString,
  prefixIgnoreCase,
  stringTest,
  suffixIgnoreCase,
} from './pattern-strings.js';
import { compileWildcard } from './pattern-wildcard.js';

/** What one `{ "<operator>": … }` entry of a value list compiles to. */
export type CompiledExpression = ValueMatcher | { readonly exists: boolean };

/**
 * Compiles one operator object. Each operator object holds exactly one key; the reasons mirror
 * event-ruler's JsonRuleCompiler, which is what EventBridge reports.
 */
export function compileMatchExpression(
  expression: Record<string, unknown>,
  path: readonly PathSegment[],
): CompiledExpression {
  const keys = Object.keys(expression);
  if (keys.length === 0) invalid('Match expression name not found', path);
  if (keys.length > 1) invalid('Only one key allowed in match expression', path);
  const operator = keys[0];
  const spec = expression[operator];
  const at = [...path, operator];
  switch (operator) {
    case 'exactly':
      return exactString(stringSpec(spec, at, 'exact match pattern must be a string'));
    case 'equals-ignore-case':
      return stringTest(
        equalsIgnoreCase(stringSpec(spec, at, 'equals-ignore-case match pattern must be a string')),
      );
    case 'prefix':
      if (isPlainObject(spec)) return stringTest(prefixIgnoreCase(ignoreCaseSpec(spec, at, 'Prefix')));
      return stringTest(startsWith(stringSpec(spec, at, 'prefix match pattern must be a string')));
    case 'suffix':
      if (isPlainObject(spec)) return stringTest(suffixIgnoreCase(ignoreCaseSpec(spec, at, 'Suffix')));
      return stringTest(endsWith(stringSpec(spec, at, 'suffix match pattern must be a string')));
    case 'wildcard': {
      const re = compileWildcard(stringSpec(spec, at, 'wildcard match pattern must be a string'), at);
      return stringTest((value) => re.test(value));
    }
    case 'numeric':
      return compileNumeric(spec, at);
    case 'cidr':
      return compileCidr(spec, at);
    case 'exists':
      if (typeof spec !== 'boolean') invalid('exists match pattern must be either true or false.', at);
      return { exists: spec };
    case 'anything-but':
      return compileAnythingBut(spec, at);
    default:
      return invalid(`Unrecognized match type ${operator}`, at);
  }
}

function stringSpec(spec: unknown, path: readonly PathSegment[], reason: string): string {
  if (typeof spec !== 'string') invalid(reason, path);
  return spec;
}

/** `{ "prefix": { "equals-ignore-case": "x" } }`: the only nested form prefix and suffix accept. */
function ignoreCaseSpec(spec: Record<string, unknown>, path: readonly PathSegment[], kind: string): string {
  const keys = Object.keys(spec);
  if (keys.length === 0) invalid(`${kind} expression name not found`, path);
  if (keys[0] !== 'equals-ignore-case')
    invalid(`Unsupported ${kind.toLowerCase()} pattern: ${keys[0]}`, path);
  if (keys.length > 1) invalid('Only one key allowed in match expression', path);
  return stringSpec(
    spec['equals-ignore-case'],
    [...path, 'equals-ignore-case'],
    'equals-ignore-case match pattern must be a string',
  );
}

function compileAnythingBut(spec: unknown, path: readonly PathSegment[]): ValueMatcher {
  if (isPlainObject(spec)) return compileAnythingButOperator(spec, path);
  if (Array.isArray(spec)) {
    if (spec.length === 0) invalid('Empty arrays are not allowed', path);
    const hasString = spec.some((v) => typeof v === 'string');
    const hasNumber = spec.some((v) => typeof v === 'number');
    spec.forEach((v, i) => {
      if (typeof v !== 'string' && typeof v !== 'number') {
        invalid('Inside anything but list, start|null|boolean is not supported.', [...path, i]);
      }
      if (typeof v === 'number') patternNumber(v, [...path, i], 'anything-but');
    });
    if (hasString && hasNumber) {
      invalid(
        'Inside anything but list, either all values are number or string, mixed type is not supported',
        path,
      );
    }
    return anythingBut(spec as (string | number)[]);
  }
  if (typeof spec === 'string') return anythingBut([spec]);
  if (typeof spec === 'number') {
    patternNumber(spec, path, 'anything-but');
    return anythingBut([spec]);
  }
  return invalid('Value of anything-but must be an array or single string/number value.', path);
}

const ANYTHING_BUT_OPERATORS: Readonly<Record<string, (value: string) => (s: string) => boolean>> = {
  'equals-ignore-case': equalsIgnoreCase,
  prefix: startsWith,
  suffix: endsWith,
};

/** `{ "anything-but": { "prefix" | "suffix" | "equals-ignore-case" | "wildcard": value | [values] } }` */
function compileAnythingButOperator(
  spec: Record<string, unknown>,
  path: readonly PathSegment[],
): ValueMatcher {
  const keys = Object.keys(spec);
  if (keys.length === 0) invalid('Anything-But expression name not found', path);
  const operator = keys[0];
  const known = operator === 'wildcard' || Object.hasOwn(ANYTHING_BUT_OPERATORS, operator);
  if (!known) invalid(`Unsupported anything-but pattern: ${operator}`, path);
  if (keys.length > 1) invalid('Only one key allowed in match expression', path);
  const at = [...path, operator];
  const raw = spec[operator];
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length === 0) invalid('Empty arrays are not allowed', at);
  const tests = values.map((value, i) => {
    const where = Array.isArray(raw) ? [...at, i] : at;
    if (typeof value !== 'string') invalid(anythingButTypeReason(operator), where);
    if ((operator === 'prefix' || operator === 'suffix') && value === '') {
      invalid('Null prefix/suffix not allowed', where);
    }
    if (operator === 'wildcard') {
      const re = compileWildcard(value, where);
      return (s: string) => re.test(s);
    }
    return ANYTHING_BUT_OPERATORS[operator](value);
  });
  return anythingButStrings(tests);
}

function anythingButTypeReason(operator: string): string {
  if (operator === 'equals-ignore-case') {
    return 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.';
  }
  if (operator === 'wildcard') return 'wildcard match pattern must be a string';
  return 'prefix/suffix match pattern must be a string';
}

function startsWith(prefix: string): (value: string) => boolean {
  return (value) => value.startsWith(prefix);
}

function endsWith(suffix: string): (value: string) => boolean {
  return (value) => value.endsWith(suffix);
}
