import { IntrinsicFailureError } from '../errors.js';
import { isJsonObject } from '../json-value.js';

/** Argument checks shared by the intrinsic functions; each failure is a one-line IntrinsicFailure. */

export function requireString(fn: string, position: number, value: unknown): string {
  if (typeof value !== 'string') throw wrongType(fn, position, 'a string', value);
  return value;
}

export function requireArray(fn: string, position: number, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw wrongType(fn, position, 'an array', value);
  return value;
}

export function requireObject(fn: string, position: number, value: unknown): Record<string, unknown> {
  if (!isJsonObject(value)) throw wrongType(fn, position, 'a JSON object', value);
  return value;
}

export function requireInteger(fn: string, position: number, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw wrongType(fn, position, 'an integer', value);
  return value;
}

export function requireNumber(fn: string, position: number, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(fn, position, 'a number', value);
  return value;
}

export function requireMaxLength(fn: string, position: number, value: string, max: number): string {
  if (value.length > max) {
    throw new IntrinsicFailureError(
      `The ${ordinal(position)} argument of ${fn} must be at most ${max} characters long, but has ${value.length}`,
    );
  }
  return value;
}

function wrongType(fn: string, position: number, expected: string, value: unknown): IntrinsicFailureError {
  return new IntrinsicFailureError(
    `The ${ordinal(position)} argument of ${fn} must be ${expected}, but was ${describe(value)}`,
  );
}

function ordinal(position: number): string {
  return ['first', 'second', 'third', 'fourth', 'fifth'][position] ?? `#${position + 1}`;
}

function describe(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  const text = JSON.stringify(value) ?? 'undefined';
  return `${type} ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}
