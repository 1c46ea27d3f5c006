import type { StoreRecord } from './engine-store.js';
import { InvalidRecordError } from './errors.js';

/**
 * One record must fit in a frame's 31-bit length with room to spare; the engine's largest record
 * is an event carrying a 256 KiB payload, so 64 MiB only ever trips on a bug.
 */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/**
 * A record as JSON text and its UTF-8 length: the text is encoded once, straight into the frame
 * that carries it (see encodeFrames), rather than into a Buffer of its own that is then copied.
 */
export interface SerializedRecord {
  readonly text: string;
  readonly bytes: number;
}

/**
 * Validates and serialises records up front, before anything is queued, so a bad record in a call
 * rejects the whole call and writes nothing (not even the good records before it).
 */
export function serializeRecords(records: readonly StoreRecord[], operation: string): SerializedRecord[] {
  if (!Array.isArray(records)) {
    throw new InvalidRecordError(`${operation}: expected an array of records, got ${describe(records)}`);
  }
  return records.map((record, index) => serializeRecord(record, `${operation}: record ${index}`));
}

function serializeRecord(record: unknown, where: string): SerializedRecord {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new InvalidRecordError(`${where} must be a JSON object, got ${describe(record)}`);
  }
  const type = (record as { t?: unknown }).t;
  if (typeof type !== 'string' || type.length === 0) {
    throw new InvalidRecordError(`${where} must have a non-empty string "t" (its record type)`);
  }
  let text: string;
  try {
    text = JSON.stringify(record);
  } catch (error) {
    throw new InvalidRecordError(
      `${where} (t=${type}) is not serialisable as JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_RECORD_BYTES) {
    throw new InvalidRecordError(`${where} (t=${type}) is ${bytes} bytes; the limit is ${MAX_RECORD_BYTES}`);
  }
  return { text, bytes };
}

export function parseRecord(bytes: Buffer | string): StoreRecord {
  return JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8')) as StoreRecord;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
