import { PathSyntaxError, StatesRuntimeError } from './errors.js';
import { toCompactJson } from './json-value.js';
import type { ParsedPath } from './path-ast.js';
import { querySegments } from './path-evaluator.js';
import { parsePath } from './path-parser.js';

/** What a JSONPath-mode expression can read: the state input, the context object, variables. */
export interface JsonPathScope {
  input: unknown;
  context: unknown;
  variables: Record<string, unknown>;
}

const ReferenceRoot = {
  Input: 'input',
  Context: 'context',
  Variable: 'variable',
} as const;
type ReferenceRoot = (typeof ReferenceRoot)[keyof typeof ReferenceRoot];

export interface ParsedReference {
  readonly root: ReferenceRoot;
  /** The variable name when root is `variable`. */
  readonly variable?: string;
  /** The path re-rooted at `$` over whatever the root selects. */
  readonly path: ParsedPath;
}

// ASL variable names: a letter or underscore, then letters, digits or underscores.
const VARIABLE_REFERENCE = /^\$([A-Za-z_][A-Za-z0-9_]*)/;

/** Splits `$.a`, `$$.Execution.Id` or `$myVar.field` into its root and a `$`-rooted path. */
export function parseReference(source: string): ParsedReference {
  if (source.startsWith('$$')) return { root: ReferenceRoot.Context, path: parsePath(source.slice(1)) };
  const variable = VARIABLE_REFERENCE.exec(source);
  if (variable) {
    return {
      root: ReferenceRoot.Variable,
      variable: variable[1],
      path: parsePath(`$${source.slice(variable[0].length)}`),
    };
  }
  if (!source.startsWith('$'))
    throw new PathSyntaxError(`Invalid JSONPath '${source}': a path must start with '$'`);
  return { root: ReferenceRoot.Input, path: parsePath(source) };
}

export type ReferenceOutcome =
  | { readonly found: true; readonly value: unknown }
  | { readonly found: false; readonly reason: string };

/** Resolves a reference against the scope without throwing for a missing value. */
export function lookupReference(source: string, scope: JsonPathScope): ReferenceOutcome {
  const reference = parseReference(source);
  let root: unknown;
  if (reference.root === ReferenceRoot.Input) root = scope.input;
  else if (reference.root === ReferenceRoot.Context) root = scope.context;
  else {
    const name = reference.variable!;
    if (!Object.hasOwn(scope.variables, name))
      return { found: false, reason: `The variable '$${name}' is not defined` };
    root = scope.variables[name];
  }
  return querySegments(root, reference.path.segments);
}

/**
 * Resolves a reference or throws `States.Runtime`. With a payload key (`field` ending in `.$`) the
 * cause is the one AWS gives for Parameters/ResultSelector/ItemSelector; otherwise it is the
 * "Invalid path" form AWS gives for InputPath/OutputPath/ItemsPath and similar fields.
 */
export function resolveReference(source: string, scope: JsonPathScope, field?: string): unknown {
  const outcome = lookupReference(source, scope);
  if (outcome.found) return outcome.value;
  if (field?.endsWith('.$')) {
    const searched = source.startsWith('$$') ? scope.context : scope.input;
    throw new StatesRuntimeError(
      `The JSONPath '${source}' specified for the field '${field}' could not be found in the input '${toCompactJson(searched)}'`,
    );
  }
  throw new StatesRuntimeError(`Invalid path '${source}' : ${outcome.reason}`);
}
