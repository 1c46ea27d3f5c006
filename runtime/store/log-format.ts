import { crc32 } from 'node:zlib';
import { StoreError } from './errors.js';
import { MAX_RECORD_BYTES, type SerializedRecord } from './record-codec.js';

/**
 * On-disk layout of the engine log:
 *
 *   header  "TOLLGATE-LOG v1\n" (16 bytes)
 *   frame*  u32le length | u32le crc32(length bytes ++ payload) | payload (UTF-8 JSON, length bytes)
 *
 * The CRC covers the length field too, so a flipped bit in a length cannot silently re-frame the
 * rest of the log. A zero length is never written, which makes a zero-filled tail (what some file
 * systems leave after power loss) read as damage rather than as records.
 */
export const LOG_HEADER = Buffer.from('TOLLGATE-LOG v1\n', 'latin1');
export const FRAME_HEADER_BYTES = 8;

export function encodeFrames(records: readonly SerializedRecord[]): Buffer {
  let total = 0;
  for (const record of records) total += FRAME_HEADER_BYTES + record.bytes;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const { text, bytes } of records) {
    const start = at + FRAME_HEADER_BYTES;
    out.writeUInt32LE(bytes, at);
    if (out.write(text, start, bytes, 'utf8') !== bytes) {
      throw new StoreError(`encodeFrames: a record's text did not encode to its ${bytes} bytes`);
    }
    out.writeUInt32LE(frameChecksum(out.subarray(at, at + 4), out.subarray(start, start + bytes)), at + 4);
    at = start + bytes;
  }
  return out;
}

function frameChecksum(lengthBytes: Buffer, payload: Buffer): number {
  return crc32(payload, crc32(lengthBytes));
}

export type FrameCheck =
  | { readonly kind: 'frame'; readonly payload: Buffer; readonly size: number }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'damaged'; readonly reason: string };

/**
 * Checks the frame that starts at `at` in `buffer`. `bytesToEof` is how many bytes the file holds
 * from `at` on, so a frame longer than the buffer but shorter than the file reads as `incomplete`
 * (read more), and one longer than the file reads as damaged (it can never complete).
 */
export function checkFrame(buffer: Buffer, at: number, bytesToEof: number): FrameCheck {
  const available = buffer.length - at;
  if (available < FRAME_HEADER_BYTES) {
    return bytesToEof < FRAME_HEADER_BYTES
      ? { kind: 'damaged', reason: `a frame header is cut short (${bytesToEof} of 8 bytes)` }
      : { kind: 'incomplete' };
  }
  const length = buffer.readUInt32LE(at);
  if (length === 0 || length > MAX_RECORD_BYTES) {
    return { kind: 'damaged', reason: `a frame declares an impossible length (${length})` };
  }
  const size = FRAME_HEADER_BYTES + length;
  if (size > bytesToEof) {
    return { kind: 'damaged', reason: `a frame of ${length} bytes runs past the end of the file` };
  }
  if (size > available) return { kind: 'incomplete' };
  const payload = buffer.subarray(at + FRAME_HEADER_BYTES, at + size);
  if (frameChecksum(buffer.subarray(at, at + 4), payload) !== buffer.readUInt32LE(at + 4)) {
    return { kind: 'damaged', reason: 'a frame fails its CRC32 check' };
  }
  return { kind: 'frame', payload, size };
}
