import { PathSyntaxError } from './errors.js';
import type { ComparisonOperator, FilterExpression, FilterOperand, ParsedPath, Segment } from './path-ast.js';

// Characters that end a dot-notation property name. Jayway reads a dot-name up to the next `.` or
// `[`; it rejects blanks, and `(` would start a function call, which Step Functions does not allow.
const DOT_NAME_STOP = new Set(['.', '[', ']', '(', ')', ' ', '\t', '\n', '\r', "'", '"']);

// Inside a filter a dot-name also ends where a comparison or boolean operator starts.
const FILTER_NAME_STOP = new Set([...DOT_NAME_STOP, '=', '!', '<', '>', '&', '|']);

const cache = new Map<string, ParsedPath>();
const CACHE_LIMIT = 2048;

/** Parses a path that must start at the root `$`. Throws PathSyntaxError with a one-line reason. */
export function parsePath(source: string): ParsedPath {
  const cached = cache.get(source);
  if (cached) return cached;
  const cursor = new PathCursor(source, 0);
  cursor.expect('$', `path '${source}' must start with '$'`);
  const segments = cursor.readSegments();
  if (!cursor.atEnd()) {
    throw new PathSyntaxError(
      `Invalid JSONPath '${source}': unexpected '${source[cursor.position]}' at position ${cursor.position}`,
    );
  }
  const parsed: ParsedPath = { source, segments };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, parsed);
  return parsed;
}

class PathCursor {
  constructor(
    readonly source: string,
    public position: number,
    private readonly nameStops: ReadonlySet<string> = DOT_NAME_STOP,
  ) {}

  atEnd(): boolean {
    return this.position >= this.source.length;
  }

  peek(offset = 0): string {
    return this.source[this.position + offset] ?? '';
  }

  fail(reason: string): never {
    throw new PathSyntaxError(`Invalid JSONPath '${this.source}': ${reason}`);
  }

  expect(text: string, reason?: string): void {
    if (!this.source.startsWith(text, this.position))
      this.fail(reason ?? `expected '${text}' at position ${this.position}`);
    this.position += text.length;
  }

  skipBlanks(): void {
    while (/\s/.test(this.peek())) this.position++;
  }

  readSegments(): Segment[] {
    const segments: Segment[] = [];
    while (!this.atEnd()) {
      const char = this.peek();
      if (char === '.' && this.peek(1) === '.') {
        this.position += 2;
        segments.push({ kind: 'deepScan', target: this.readAfterDeepScan() });
      } else if (char === '.') {
        this.position++;
        segments.push(this.readDotSegment());
      } else if (char === '[') {
        segments.push(this.readBracketSegment());
      } else {
        break;
      }
    }
    return segments;
  }

  private readAfterDeepScan(): Segment {
    if (this.peek() === '[') return this.readBracketSegment();
    if (this.atEnd() || this.peek() === '.') this.fail('a deep scan (..) must be followed by a name, * or [');
    return this.readDotSegment();
  }

  private readDotSegment(): Segment {
    if (this.peek() === '*') {
      this.position++;
      return { kind: 'wildcard' };
    }
    const start = this.position;
    while (!this.atEnd() && !this.nameStops.has(this.peek())) this.position++;
    if (this.position === start) {
      const found = this.atEnd() ? 'end of path' : `'${this.peek()}'`;
      this.fail(`expected a property name after '.' at position ${start}, found ${found}`);
    }
    return { kind: 'property', names: [this.source.slice(start, this.position)] };
  }

  private readBracketSegment(): Segment {
    this.expect('[');
    this.skipBlanks();
    let segment: Segment;
    const char = this.peek();
    if (char === '*') {
      this.position++;
      segment = { kind: 'wildcard' };
    } else if (char === '?') {
      this.position++;
      this.skipBlanks();
      this.expect('(', `a filter must look like [?(...)] at position ${this.position}`);
      const expression = new FilterParser(this).readOr();
      this.skipBlanks();
      this.expect(')', `unclosed filter at position ${this.position}`);
      segment = { kind: 'filter', expression };
    } else if (char === "'" || char === '"') {
      segment = { kind: 'property', names: this.readList(() => this.readQuoted()) };
    } else if (/[-0-9:]/.test(char)) {
      segment = this.readIndexOrSlice();
    } else {
      this.fail(`unexpected '${char || 'end of path'}' after '[' at position ${this.position}`);
    }
    this.skipBlanks();
    this.expect(']', `expected ']' at position ${this.position}`);
    return segment;
  }

  private readList<T>(readItem: () => T): T[] {
    const items = [readItem()];
    this.skipBlanks();
    while (this.peek() === ',') {
      this.position++;
      this.skipBlanks();
      items.push(readItem());
      this.skipBlanks();
    }
    return items;
  }

  /**
   * A quoted name. A backslash stops the next character from closing the string but is kept as
   * written: AWS resolves `$['Test\""Name"']` to the key `Test\""Name"` (recorded in the
   * conformance case escape_sequence_parsing).
   */
  readQuoted(): string {
    const quote = this.peek();
    const start = ++this.position;
    while (!this.atEnd() && this.peek() !== quote) {
      this.position += this.peek() === '\\' ? 2 : 1;
    }
    if (this.atEnd()) this.fail(`unterminated string starting at position ${start - 1}`);
    const text = this.source.slice(start, this.position);
    this.position++;
    return text;
  }

  private readInteger(): number | undefined {
    const match = /^-?\d+/.exec(this.source.slice(this.position));
    if (!match) return undefined;
    this.position += match[0].length;
    const value = Number(match[0]);
    if (!Number.isSafeInteger(value)) this.fail(`index ${match[0]} is out of range`);
    return value;
  }

  private readIndexOrSlice(): Segment {
    const first = this.readInteger();
    this.skipBlanks();
    if (this.peek() === ':') {
      this.position++;
      this.skipBlanks();
      const end = this.readInteger();
      this.skipBlanks();
      // Jayway has no slice step; a second ':' is a syntax error there too.
      if (this.peek() === ':') this.fail('array slices with a step are not supported');
      return { kind: 'slice', start: first, end };
    }
    if (first === undefined) this.fail(`expected an array index at position ${this.position}`);
    const indexes = [first];
    while (this.peek() === ',') {
      this.position++;
      this.skipBlanks();
      const next = this.readInteger();
      if (next === undefined) this.fail(`expected an array index at position ${this.position}`);
      indexes.push(next);
      this.skipBlanks();
    }
    return { kind: 'index', indexes };
  }
}

const OPERATORS: readonly ComparisonOperator[] = ['==', '!=', '<=', '>=', '<', '>', '=~'];

class FilterParser {
  constructor(private readonly cursor: PathCursor) {}

  readOr(): FilterExpression {
    let left = this.readAnd();
    while (this.take('||')) left = { kind: 'or', left, right: this.readAnd() };
    return left;
  }

  private readAnd(): FilterExpression {
    let left = this.readUnary();
    while (this.take('&&')) left = { kind: 'and', left, right: this.readUnary() };
    return left;
  }

  private readUnary(): FilterExpression {
    this.cursor.skipBlanks();
    if (this.cursor.peek() === '!' && this.cursor.peek(1) !== '=') {
      this.cursor.position++;
      return { kind: 'not', operand: this.readUnary() };
    }
    if (this.cursor.peek() === '(') {
      this.cursor.position++;
      const inner = this.readOr();
      this.cursor.skipBlanks();
      this.cursor.expect(')', `unbalanced parentheses in filter at position ${this.cursor.position}`);
      return inner;
    }
    const left = this.readOperand();
    this.cursor.skipBlanks();
    const operator = OPERATORS.find((candidate) =>
      this.cursor.source.startsWith(candidate, this.cursor.position),
    );
    if (!operator) {
      if (left.kind !== 'path') this.cursor.fail('a filter term without an operator must be a path');
      return { kind: 'exists', operand: left };
    }
    this.cursor.position += operator.length;
    this.cursor.skipBlanks();
    const right = operator === '=~' ? this.readRegex() : this.readOperand();
    return { kind: 'compare', operator, left, right };
  }

  private take(token: string): boolean {
    this.cursor.skipBlanks();
    if (!this.cursor.source.startsWith(token, this.cursor.position)) return false;
    this.cursor.position += token.length;
    return true;
  }

  private readOperand(): FilterOperand {
    const cursor = this.cursor;
    const char = cursor.peek();
    if (char === '@' || char === '$') {
      cursor.position++;
      const nested = new PathCursor(cursor.source, cursor.position, FILTER_NAME_STOP);
      const segments = nested.readSegments();
      cursor.position = nested.position;
      return { kind: 'path', root: char, segments };
    }
    if (char === "'" || char === '"') return { kind: 'literal', value: unescapeLiteral(cursor.readQuoted()) };
    const rest = cursor.source.slice(cursor.position);
    const number = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(rest);
    if (number) {
      cursor.position += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (rest.startsWith(word)) {
        cursor.position += word.length;
        return { kind: 'literal', value };
      }
    }
    return cursor.fail(`unexpected '${char || 'end of path'}' in filter at position ${cursor.position}`);
  }

  private readRegex(): FilterOperand {
    const cursor = this.cursor;
    cursor.expect('/', `'=~' must be followed by a /regex/ at position ${cursor.position}`);
    const start = cursor.position;
    while (!cursor.atEnd() && cursor.peek() !== '/') cursor.position += cursor.peek() === '\\' ? 2 : 1;
    if (cursor.atEnd()) cursor.fail('unterminated regular expression in filter');
    const body = cursor.source.slice(start, cursor.position);
    cursor.position++;
    const flags = /^[i]*/.exec(cursor.source.slice(cursor.position))![0];
    cursor.position += flags.length;
    try {
      return { kind: 'regex', pattern: new RegExp(`^(?:${body})$`, flags) };
    } catch {
      return cursor.fail(`invalid regular expression /${body}/`);
    }
  }
}

/** Filter literals are compared by value, so here the usual escapes do apply. */
function unescapeLiteral(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}
