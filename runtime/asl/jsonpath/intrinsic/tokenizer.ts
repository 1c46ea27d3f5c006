import { PathSyntaxError } from '../errors.js';

export type Token =
  | { readonly type: 'name'; readonly text: string; readonly at: number }
  | { readonly type: 'string'; readonly value: string; readonly raw: string; readonly at: number }
  | { readonly type: 'number'; readonly value: number; readonly text: string; readonly at: number }
  | { readonly type: 'path'; readonly text: string; readonly at: number }
  | { readonly type: '(' | ')' | ','; readonly at: number };

// The escapes the ASL spec reserves inside intrinsic string literals; any other backslash is an
// "open escape", which AWS rejects.
const ESCAPABLE = new Set(["'", '{', '}', '\\']);

/** Splits an intrinsic function expression into tokens. Throws PathSyntaxError on bad input. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  const fail = (reason: string): never => {
    throw new PathSyntaxError(`Invalid intrinsic function expression '${source}': ${reason}`);
  };
  while (position < source.length) {
    const char = source[position];
    if (/\s/.test(char)) {
      position++;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ type: char, at: position });
      position++;
    } else if (char === "'") {
      const start = position++;
      let value = '';
      while (position < source.length && source[position] !== "'") {
        if (source[position] === '\\') {
          const escaped = source[position + 1];
          if (escaped === undefined || !ESCAPABLE.has(escaped)) {
            fail(`open escape '\\${escaped ?? ''}' at position ${position}`);
          }
          value += escaped;
          position += 2;
        } else {
          value += source[position++];
        }
      }
      if (position >= source.length) fail(`unterminated string literal starting at position ${start}`);
      position++;
      tokens.push({ type: 'string', value, raw: source.slice(start + 1, position - 1), at: start });
    } else if (char === '$') {
      const start = position;
      position = endOfPath(source, position, fail);
      tokens.push({ type: 'path', text: source.slice(start, position), at: start });
    } else if (/[-0-9]/.test(char)) {
      const match = /^-?(\d+)(\.\d+)?([eE][-+]?\d+)?/.exec(source.slice(position));
      if (!match) fail(`unexpected '${char}' at position ${position}`);
      tokens.push({ type: 'number', value: Number(match![0]), text: match![0], at: position });
      position += match![0].length;
    } else if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(source.slice(position))!;
      tokens.push({ type: 'name', text: match[0], at: position });
      position += match[0].length;
    } else {
      fail(`unexpected '${char}' at position ${position}`);
    }
  }
  return tokens;
}

/** A path argument runs to the next top-level `,` `)` or blank; brackets may hold any of those. */
function endOfPath(source: string, start: number, fail: (reason: string) => never): number {
  let position = start;
  let depth = 0;
  let quote: string | undefined;
  while (position < source.length) {
    const char = source[position];
    if (quote) {
      if (char === '\\') position++;
      else if (char === quote) quote = undefined;
    } else if (depth > 0 && (char === "'" || char === '"')) {
      quote = char;
    } else if (char === '[') {
      depth++;
    } else if (char === ']') {
      depth--;
    } else if (depth === 0 && (char === ',' || char === ')' || /\s/.test(char))) {
      break;
    }
    position++;
  }
  if (quote || depth > 0) fail(`unterminated path starting at position ${start}`);
  return position;
}
