import { createHash, randomUUID } from 'node:crypto';
import { StatesError, StatesErrorName } from '../errors/states-error.js';

/**
 * The functions Step Functions adds to JSONata. AWS also removes `$eval`; it is rebound to a
 * function that fails so a definition cannot evaluate arbitrary text.
 */
const HASH_ALGORITHMS: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

function fail(message: string): never {
  throw new StatesError(StatesErrorName.QueryEvaluationError, message);
}

export function partition(array: unknown, size: unknown): unknown[] {
  if (!Array.isArray(array)) fail('$partition expects an array as its first argument');
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) {
    fail('$partition expects a positive integer as its second argument');
  }
  const out: unknown[] = [];
  for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
  return out;
}

export function range(start: unknown, end: unknown, step: unknown): number[] {
  for (const [label, v] of [
    ['start', start],
    ['end', end],
    ['step', step],
  ] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v)) fail(`$range expects an integer ${label}`);
  }
  const s = start as number;
  const e = end as number;
  const st = step as number;
  if (st === 0) fail('$range step must not be 0');
  const out: number[] = [];
  // AWS caps generated arrays at 1000 items, like States.ArrayRange.
  for (let v = s; st > 0 ? v <= e : v >= e; v += st) {
    out.push(v);
    if (out.length > 1000) fail('$range would return more than 1000 items');
  }
  return out;
}

export function hash(data: unknown, algorithm: unknown): string {
  if (typeof data !== 'string') fail('$hash expects a string to hash');
  const algo = typeof algorithm === 'string' ? HASH_ALGORITHMS[algorithm] : undefined;
  if (!algo) fail(`$hash algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
  return createHash(algo).update(data, 'utf8').digest('hex');
}

/** With a seed the result is stable, as AWS documents; without one it is random. */
export function random(seed?: unknown): number {
  if (seed === undefined) return Math.random();
  if (typeof seed !== 'number' || !Number.isInteger(seed)) fail('$random seed must be an integer');
  // mulberry32: small, deterministic, good enough for sampling.
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export function uuid(): string {
  return randomUUID();
}

export function parse(text: unknown): unknown {
  if (typeof text !== 'string') fail('$parse expects a string');
  try {
    return JSON.parse(text);
  } catch {
    fail(`$parse could not parse the JSON string: ${text}`);
  }
}

export function evalUnavailable(): never {
  fail('The JSONata function $eval is not supported by Step Functions');
}
