import { InvalidInputError } from '../errors.js';

/** Content-addressed blobs live here; only `ingest` may write under it, so a key always matches its bytes. */
export const BLOB_PREFIX = 'blobs/sha256/';

export function assertBody(
  key: string,
  body: unknown,
  contentType: unknown,
): asserts body is Uint8Array | string {
  if (typeof body !== 'string' && !(body instanceof Uint8Array))
    throw new InvalidInputError(`body for ${key} must be a string or a Uint8Array`);
  if (contentType !== undefined && (typeof contentType !== 'string' || contentType.trim() === ''))
    throw new InvalidInputError(`contentType for ${key} must be a non-empty string when given`);
  if (key.startsWith(BLOB_PREFIX))
    throw new InvalidInputError(
      `${key} is under ${BLOB_PREFIX}, which only ingest writes (its key is the sha256 of its bytes)`,
    );
}

/** Serialises a pointer value; anything JSON cannot represent faithfully is refused, not coerced. */
export function assertPointerValue(key: string, value: unknown): string {
  if (
    value === undefined ||
    typeof value === 'function' ||
    typeof value === 'symbol' ||
    typeof value === 'bigint'
  )
    throw new InvalidInputError(`pointer ${key} must be a JSON value, got ${typeof value}`);
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new InvalidInputError(`pointer ${key} must be a JSON value, got ${value}`);
  return JSON.stringify(value);
}

export function assertBytesSource(source: unknown): asserts source is AsyncIterable<unknown> {
  if (
    typeof source !== 'object' ||
    source === null ||
    typeof (source as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function'
  )
    throw new InvalidInputError('ingest needs a readable byte stream');
}

export function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw new InvalidInputError(
    'ingest needs a byte stream; got a chunk that is not bytes (object or string mode?)',
  );
}
