import type { LeafField, ObjectField, ObjectMatcher, PathSegment, ValueMatcher } from './pattern-model.js';
import { invalid, isPlainObject } from './pattern-model.js';
import { compileMatchExpression } from './pattern-operators.js';
import { exactLiteral, exactNumber, exactString } from './pattern-strings.js';

const OR = '$or';

/** Names event-ruler reserves inside `$or` branches, so a branch cannot be mistaken for an operator. */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

/**
 * A `$or` multiplies the pattern into branches; EventBridge caps a rule's complexity, and so do we,
 * so a pattern cannot make every match do exponential work.
 */
const MAX_PATTERN_BRANCHES = 1024;

/** Parses (when given JSON text) and compiles a pattern, throwing InvalidEventPatternError. */
export function compilePatternTree(pattern: unknown): ObjectMatcher {
  let value = pattern;
  if (typeof pattern === 'string') {
    try {
      value = JSON.parse(pattern);
    } catch (error) {
      invalid(`Pattern is not valid JSON: ${(error as Error).message}`, []);
    }
  }
  if (!isPlainObject(value)) invalid('Filter is not an object', []);
  const root = compileObject(value, [], false);
  branchesOf(root, []);
  return root;
}

function compileObject(
  object: Record<string, unknown>,
  path: readonly PathSegment[],
  insideOr: boolean,
): ObjectMatcher {
  const keys = Object.keys(object);
  if (keys.length === 0) invalid('Empty objects are not allowed', path);
  const fields: (LeafField | ObjectField)[] = [];
  let alternatives: ObjectMatcher[] | undefined;
  for (const key of keys) {
    const value = object[key];
    const at = [...path, key];
    if (key === OR) {
      alternatives = compileOr(value, at);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      invalid(`${key} is Ruler reserved fieldName which cannot be used inside $or.`, at);
    }
    if (Array.isArray(value)) fields.push(compileLeaf(key, value, at));
    else if (isPlainObject(value))
      fields.push({ kind: 'object', key, matcher: compileObject(value, at, insideOr) });
    else invalid(`"${key}" must be an object or an array`, at);
  }
  return { fields, alternatives };
}

function compileOr(value: unknown, path: readonly PathSegment[]): ObjectMatcher[] {
  if (!Array.isArray(value)) invalid('It must be an Array followed with $or.', path);
  const alternatives = value.map((branch, i) => {
    if (!isPlainObject(branch))
      invalid('Only JSON object is allowed in array of $or relationship.', [...path, i]);
    return compileObject(branch, [...path, i], true);
  });
  if (alternatives.length < 2) invalid('There must have at least 2 Objects in $or relationship.', path);
  return alternatives;
}

function compileLeaf(key: string, values: readonly unknown[], path: readonly PathSegment[]): LeafField {
  if (values.length === 0) invalid('Empty arrays are not allowed', path);
  const matchers: ValueMatcher[] = [];
  let existsTrue = false;
  let existsFalse = false;
  values.forEach((value, i) => {
    const at = [...path, i];
    if (typeof value === 'string') matchers.push(exactString(value));
    else if (typeof value === 'number' && Number.isFinite(value)) matchers.push(exactNumber(value));
    else if (typeof value === 'boolean' || value === null) matchers.push(exactLiteral(value));
    else if (isPlainObject(value)) {
      const compiled = compileMatchExpression(value, at);
      if ('exists' in compiled) {
        if (compiled.exists) existsTrue = true;
        else existsFalse = true;
      } else matchers.push(compiled);
    } else invalid('Match value must be String, number, true, false, or null', at);
  });
  return { kind: 'leaf', key, matchers, existsTrue, existsFalse };
}

/**
 * Expands the `$or`s into branches of dotted leaf paths, as event-ruler compiles a rule. A path may
 * appear once per branch: `{"source": […], "$or": [{"source": […]}, …]}` is refused rather than
 * silently letting one side win.
 */
function branchesOf(matcher: ObjectMatcher, prefix: readonly string[]): string[][] {
  let branches: string[][] = [[]];
  for (const field of matcher.fields) {
    const path = [...prefix, field.key];
    const own = field.kind === 'leaf' ? [[path.join('.')]] : branchesOf(field.matcher, path);
    branches = product(branches, own);
  }
  if (matcher.alternatives) {
    branches = product(
      branches,
      matcher.alternatives.flatMap((alternative) => branchesOf(alternative, prefix)),
    );
  }
  return branches;
}

function product(left: readonly string[][], right: readonly string[][]): string[][] {
  if (left.length * right.length > MAX_PATTERN_BRANCHES) {
    invalid(`Event pattern is too complex: its $or combinations exceed ${MAX_PATTERN_BRANCHES}`, []);
  }
  const out: string[][] = [];
  for (const a of left) {
    for (const b of right) {
      const seen = new Set(a);
      for (const path of b) {
        if (seen.has(path)) invalid(`Path \`${path}\` cannot be allowed multiple times`, []);
        seen.add(path);
      }
      out.push([...a, ...b]);
    }
  }
  return out;
}
