import { InvalidInputError } from '../errors.js';

/**
 * Artifact store keys are shared by the S3 and directory adapters, so both accept exactly the same
 * set. A key becomes a file path locally: `..`, absolute paths and empty segments would escape or
 * alias the store root, and a leading-dot segment is reserved for the store's own temp files.
 */
const SEGMENT = /^[A-Za-z0-9_@=+,-][A-Za-z0-9._@=+,-]*$/;
const MAX_KEY_BYTES = 900; // S3 allows 1024 bytes; leave room for the adapter's prefix.

export function assertKey(key: unknown, what = 'key'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0)
    throw new InvalidInputError(`${what} must be a non-empty string`);
  problem(key, what, false);
}

/** A list prefix may be empty or end in `/`; every complete segment follows the key rules. */
export function assertPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') throw new InvalidInputError('prefix must be a string');
  if (prefix === '') return;
  problem(prefix, 'prefix', true);
}

function problem(value: string, what: string, partialLast: boolean): void {
  if (value.startsWith('/')) throw new InvalidInputError(`${what} "${value}" must be relative, not absolute`);
  if (Buffer.byteLength(value) > MAX_KEY_BYTES)
    throw new InvalidInputError(`${what} is longer than ${MAX_KEY_BYTES} bytes`);
  const segments = value.split('/');
  segments.forEach((segment, index) => {
    if (segment === '..' || segment === '.')
      throw new InvalidInputError(`${what} "${value}" must not contain "." or ".." segments`);
    if (segment === '') {
      if (partialLast && index === segments.length - 1) return;
      throw new InvalidInputError(
        `${what} "${value}" must not contain empty segments ("//" or a trailing "/")`,
      );
    }
    if (!SEGMENT.test(segment))
      throw new InvalidInputError(
        `${what} "${value}" has an invalid segment "${segment}": use A-Z a-z 0-9 and . _ @ = + , - and do not start with "."`,
      );
  });
}
