import type { JsonPathScope } from '../reference.js';
import { resolveReference } from '../reference.js';
import type { IntrinsicNode } from './ast.js';
import type { IntrinsicArgument, IntrinsicContext } from './function-types.js';
import { parseIntrinsic } from './parser.js';
import { cryptoRandomSource, type RandomSource } from './random-source.js';
import { INTRINSIC_FUNCTIONS } from './registry.js';

export interface IntrinsicOptions {
  /** Randomness for States.MathRandom without a seed and States.UUID. */
  readonly random?: RandomSource;
  /** The payload key being evaluated (e.g. `value.$`), named in "could not be found" causes. */
  readonly field?: string;
}

/**
 * Evaluates an intrinsic call such as `States.Format('{}', $.name)`. Paths read the scope: `$.`
 * the input, `$$.` the context object, `$name` a variable. Errors: `States.Runtime` for a bad
 * expression or a path that matches nothing, `States.IntrinsicFailure` for bad arguments.
 */
export function evaluateIntrinsic(
  expression: string,
  scope: JsonPathScope,
  options: IntrinsicOptions = {},
): unknown {
  const context: IntrinsicContext = { random: options.random ?? cryptoRandomSource };
  return evaluateNode(parseIntrinsic(expression), scope, context, options.field);
}

function evaluateNode(
  node: IntrinsicNode,
  scope: JsonPathScope,
  context: IntrinsicContext,
  field?: string,
): unknown {
  switch (node.kind) {
    case 'string':
    case 'literal':
      return node.value;
    case 'path':
      return resolveReference(node.path, scope, field);
    case 'call': {
      const args: IntrinsicArgument[] = node.args.map((arg) => ({
        value: evaluateNode(arg, scope, context, field),
        node: arg,
      }));
      return INTRINSIC_FUNCTIONS[node.name](args, context);
    }
  }
}
