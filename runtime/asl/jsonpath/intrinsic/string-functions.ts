import { IntrinsicFailureError } from '../errors.js';
import { isJsonObject } from '../json-value.js';
import type { IntrinsicFunction } from './function-types.js';
import { requireString } from './values.js';

export const format: IntrinsicFunction = ([template, ...values]) => {
  const text = requireString('States.Format', 0, template.value);
  // In a literal template `\{` and `\}` are plain braces; a template read from a path has no escapes.
  const pieces = template.node.kind === 'string' ? splitLiteralTemplate(template.node.raw) : text.split('{}');
  if (pieces.length - 1 !== values.length) {
    throw new IntrinsicFailureError(
      `States.Format has ${pieces.length - 1} placeholder${pieces.length === 2 ? '' : 's'} but ${values.length} value${values.length === 1 ? '' : 's'}`,
    );
  }
  return pieces.reduce(
    (out, piece, position) => out + piece + (position < values.length ? render(values[position].value) : ''),
    '',
  );
};

function splitLiteralTemplate(raw: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (let position = 0; position < raw.length; position++) {
    const char = raw[position];
    if (char === '\\') {
      current += raw[++position];
    } else if (char === '{' && raw[position + 1] === '}') {
      pieces.push(current);
      current = '';
      position++;
    } else {
      current += char;
    }
  }
  pieces.push(current);
  return pieces;
}

/**
 * How AWS prints a value into a string: strings bare, and objects and arrays the way Java's
 * Map/List toString does (recorded: `{Id=arn:..., Name=...}` for `$$.StateMachine`).
 */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(render).join(', ')}]`;
  if (isJsonObject(value)) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${key}=${render(item)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Every character of the delimiter splits, and empty pieces are dropped, like Java's
 * StringTokenizer (recorded: "a,,,b" split on "," gives ["a","b"]).
 */
export const stringSplit: IntrinsicFunction = ([text, delimiter]) => {
  const source = requireString('States.StringSplit', 0, text.value);
  const separators = new Set(requireString('States.StringSplit', 1, delimiter.value));
  const pieces: string[] = [];
  let current = '';
  for (const char of source) {
    if (separators.has(char)) {
      if (current !== '') pieces.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
};

export const uuid: IntrinsicFunction = (_args, context) => {
  const bytes = context.random.bytes(16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
