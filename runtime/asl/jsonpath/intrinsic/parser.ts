import { PathSyntaxError } from '../errors.js';
import { parseReference } from '../reference.js';
import { INTRINSIC_ARITY } from './arity.js';
import type { IntrinsicNode } from './ast.js';
import { type Token, tokenize } from './tokenizer.js';

/** AWS allows up to 10 intrinsic functions nested within one field. */
export const MAX_NESTING_DEPTH = 10;

const cache = new Map<string, IntrinsicNode>();
const CACHE_LIMIT = 2048;

/** True when a `.$` value is an intrinsic call rather than a path. */
export function looksLikeIntrinsic(expression: string): boolean {
  return /^\s*States\.[A-Za-z0-9]+\s*\(/.test(expression);
}

/**
 * Parses `States.Fn(arg, ...)` into a tree, checking names, argument counts and nesting depth.
 * Throws PathSyntaxError with one line saying what is wrong.
 */
export function parseIntrinsic(source: string): IntrinsicNode {
  const cached = cache.get(source);
  if (cached) return cached;
  const tokens = tokenize(source);
  const parser = new IntrinsicParser(source, tokens);
  const node = parser.readCall(1);
  if (parser.position < tokens.length)
    parser.fail(`unexpected input at position ${tokens[parser.position].at}`);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, node);
  return node;
}

class IntrinsicParser {
  position = 0;
  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  fail(reason: string): never {
    throw new PathSyntaxError(`Invalid intrinsic function expression '${this.source}': ${reason}`);
  }

  private next(): Token | undefined {
    return this.tokens[this.position++];
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  readCall(depth: number): IntrinsicNode {
    const name = this.next();
    if (name?.type !== 'name') this.fail('expected an intrinsic function name such as States.Format');
    if (depth > MAX_NESTING_DEPTH) {
      this.fail(`intrinsic functions can be nested at most ${MAX_NESTING_DEPTH} deep`);
    }
    const arity = INTRINSIC_ARITY[name.text];
    if (!arity) this.fail(`unknown intrinsic function '${name.text}'`);
    if (this.next()?.type !== '(') this.fail(`expected '(' after ${name.text}`);
    const args: IntrinsicNode[] = [];
    if (this.peek()?.type === ')') {
      this.position++;
    } else {
      for (;;) {
        args.push(this.readArgument(depth));
        const separator = this.next();
        if (separator?.type === ')') break;
        if (separator?.type !== ',') this.fail(`expected ',' or ')' in the arguments of ${name.text}`);
      }
    }
    if (args.length < arity.min || args.length > arity.max) {
      const expected =
        arity.min === arity.max
          ? `${arity.min}`
          : arity.max === Infinity
            ? `at least ${arity.min}`
            : `${arity.min} to ${arity.max}`;
      this.fail(
        `${name.text} takes ${expected} argument${arity.max === 1 ? '' : 's'}, but got ${args.length}`,
      );
    }
    return { kind: 'call', name: name.text, args };
  }

  private readArgument(depth: number): IntrinsicNode {
    const token = this.peek();
    if (!token) this.fail('unexpected end of expression');
    switch (token.type) {
      case 'string':
        this.position++;
        return { kind: 'string', value: token.value, raw: token.raw };
      case 'number':
        this.position++;
        return { kind: 'literal', value: token.value };
      case 'path':
        this.position++;
        // Checked now so a malformed path fails at parse time, not mid-evaluation.
        parseReference(token.text);
        return { kind: 'path', path: token.text };
      case 'name': {
        const keyword = ({ true: true, false: false, null: null } as Record<string, boolean | null>)[
          token.text
        ];
        if (keyword !== undefined && this.tokens[this.position + 1]?.type !== '(') {
          this.position++;
          return { kind: 'literal', value: keyword };
        }
        return this.readCall(depth + 1);
      }
      default:
        return this.fail(`unexpected '${token.type}' at position ${token.at}`);
    }
  }
}
