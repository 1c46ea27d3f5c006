import type { FileHandle } from 'node:fs/promises';
import { checkFrame, FRAME_HEADER_BYTES } from './log-format.js';
import { MAX_RECORD_BYTES } from './record-codec.js';

const CHUNK_BYTES = 1024 * 1024;

export type LogItem =
  | { readonly kind: 'frame'; readonly offset: number; readonly payload: Buffer }
  | {
      readonly kind: 'end';
      /** Offset just past the last intact frame. */
      readonly validEnd: number;
      /** Set when bytes after `validEnd` are not intact frames. */
      readonly damage?: { readonly offset: number; readonly reason: string };
    };

/**
 * Streams the frames of `[start, end)` in chunks, so replay never holds the whole log in memory.
 * The last item is always `end`, saying where the intact frames stop and why.
 */
export async function* readLog(handle: FileHandle, start: number, end: number): AsyncGenerator<LogItem> {
  let buffer = Buffer.alloc(0);
  let bufferOffset = start; // file offset of buffer[0]
  let at = 0;
  let readTo = start;
  while (true) {
    const offset = bufferOffset + at;
    if (offset >= end) {
      yield { kind: 'end', validEnd: offset };
      return;
    }
    const check = checkFrame(buffer, at, end - offset);
    if (check.kind === 'frame') {
      yield { kind: 'frame', offset, payload: check.payload };
      at += check.size;
      continue;
    }
    if (check.kind === 'damaged') {
      yield { kind: 'end', validEnd: offset, damage: { offset, reason: check.reason } };
      return;
    }
    // Incomplete: keep the unread rest and read at least enough for the frame in hand.
    const rest = buffer.subarray(at);
    const declared = rest.length >= 4 ? FRAME_HEADER_BYTES + rest.readUInt32LE(0) : FRAME_HEADER_BYTES;
    const want = Math.min(Math.max(CHUNK_BYTES, declared - rest.length), end - readTo);
    const chunk = Buffer.allocUnsafe(want);
    const got = await readFully(handle, chunk, readTo);
    if (got === 0) {
      yield { kind: 'end', validEnd: offset, damage: { offset, reason: 'the file ended while being read' } };
      return;
    }
    readTo += got;
    buffer = Buffer.concat([rest, chunk.subarray(0, got)]);
    bufferOffset = offset;
    at = 0;
  }
}

/**
 * Looks for any intact frame starting after `from`. A torn tail from a crash is a prefix of one
 * write, so nothing intact can follow it; an intact frame after damage means the damage is in the
 * middle of acknowledged data.
 */
export async function findIntactFrameAfter(
  handle: FileHandle,
  from: number,
  end: number,
): Promise<number | null> {
  for (let windowStart = from + 1; windowStart + FRAME_HEADER_BYTES <= end; windowStart += CHUNK_BYTES) {
    const window = Buffer.allocUnsafe(Math.min(CHUNK_BYTES + FRAME_HEADER_BYTES, end - windowStart));
    const got = await readFully(handle, window, windowStart);
    for (let i = 0; i < Math.min(CHUNK_BYTES, got - FRAME_HEADER_BYTES + 1); i++) {
      const length = window.readUInt32LE(i);
      const candidate = windowStart + i;
      if (length === 0 || length > MAX_RECORD_BYTES || candidate + FRAME_HEADER_BYTES + length > end)
        continue;
      const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
      await readFully(handle, frame, candidate);
      if (checkFrame(frame, 0, frame.length).kind === 'frame') return candidate;
    }
  }
  return null;
}

export async function readFully(handle: FileHandle, into: Buffer, position: number): Promise<number> {
  let filled = 0;
  while (filled < into.length) {
    const { bytesRead } = await handle.read(into, filled, into.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}
