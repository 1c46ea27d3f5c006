/**
 * The few Postgres wire-protocol (v3) messages Tollgate's front end to PGlite reads or writes
 * itself. Everything else passes through to PGlite untouched.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

export const PROTOCOL_V3 = 196_608;
export const SSL_REQUEST = 80_877_103;
export const GSSENC_REQUEST = 80_877_104;
export const CANCEL_REQUEST = 80_877_102;
/** No frontend message Tollgate accepts is anywhere near this; a larger length is garbage. */
const MAX_MESSAGE = 1 << 30;

class ProtocolViolation extends Error {
  override name = 'ProtocolViolation';
}

/**
 * Reassembles frontend messages from socket chunks. Before authentication every message is the
 * untyped startup form (int32 length first); afterwards a type byte precedes the length.
 */
export class FrontendReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
  }

  /** The next whole message (type byte and length included), or undefined until more bytes arrive. */
  next(startup: boolean): Buffer | undefined {
    const head = startup ? 0 : 1;
    if (this.buffer.length < head + 4) return undefined;
    const length = this.buffer.readInt32BE(head);
    if (length < 4 || length > MAX_MESSAGE) {
      throw new ProtocolViolation(`invalid message length ${length}`);
    }
    const total = head + length;
    if (this.buffer.length < total) return undefined;
    const message = this.buffer.subarray(0, total);
    this.buffer = this.buffer.subarray(total);
    return message;
  }
}

/** Builds a typed message: type byte, int32 length, body. */
export function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.alloc(5 + body.length);
  out.write(type, 0, 'latin1');
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

export function cstring(text: string): Buffer {
  if (text.includes('\0')) throw new ProtocolViolation('a wire-protocol string cannot contain NUL');
  return Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from([0])]);
}

export function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

/** ErrorResponse with the fields clients show: severity (localised and not), SQLSTATE, message. */
export function errorResponse(severity: 'ERROR' | 'FATAL', code: string, text: string): Buffer {
  return message(
    'E',
    Buffer.concat([
      Buffer.from('S'),
      cstring(severity),
      Buffer.from('V'),
      cstring(severity),
      Buffer.from('C'),
      cstring(code),
      Buffer.from('M'),
      cstring(text),
      Buffer.from([0]),
    ]),
  );
}

export function queryMessage(sql: string): Buffer {
  return message('Q', cstring(sql));
}

export function startupMessage(parameters: Record<string, string>): Buffer {
  const pairs = Object.entries(parameters).flatMap(([k, v]) => [cstring(k), cstring(v)]);
  const body = Buffer.concat([int32(PROTOCOL_V3), ...pairs, Buffer.from([0])]);
  return Buffer.concat([int32(4 + body.length), body]);
}

/** Reads the startup message's parameters (`user`, `database`, GUCs...). */
export function readStartupParameters(msg: Buffer): Record<string, string> {
  const params: Record<string, string> = {};
  let at = 8;
  while (at < msg.length && msg[at] !== 0) {
    const [key, afterKey] = readCString(msg, at);
    const [value, afterValue] = readCString(msg, afterKey);
    params[key] = value;
    at = afterValue;
  }
  return params;
}

/** A NUL-terminated string at `at`, and the offset after its NUL. */
export function readCString(buf: Buffer, at: number): [string, number] {
  const end = buf.indexOf(0, at);
  if (end < 0) throw new ProtocolViolation('unterminated string in message');
  return [buf.toString('utf8', at, end), end + 1];
}

/** The text columns of every DataRow in a complete backend response (NULL as null). */
export function dataRows(response: Uint8Array): Array<Array<string | null>> {
  const buf = Buffer.from(response.buffer, response.byteOffset, response.byteLength);
  const rows: Array<Array<string | null>> = [];
  for (let at = 0; at + 5 <= buf.length; at += 1 + buf.readInt32BE(at + 1)) {
    if (buf[at] !== 0x44 /* D */) continue;
    const count = buf.readInt16BE(at + 5);
    let field = at + 7;
    const row: Array<string | null> = [];
    for (let i = 0; i < count; i += 1) {
      const length = buf.readInt32BE(field);
      field += 4;
      row.push(length < 0 ? null : buf.toString('utf8', field, field + length));
      if (length > 0) field += length;
    }
    rows.push(row);
  }
  return rows;
}

/** The `M` field of the first ErrorResponse in a complete backend response, if any. */
export function firstError(response: Uint8Array): string | undefined {
  const buf = Buffer.from(response.buffer, response.byteOffset, response.byteLength);
  for (let at = 0; at + 5 <= buf.length; at += 1 + buf.readInt32BE(at + 1)) {
    if (buf[at] !== 0x45 /* E */) continue;
    const end = at + 1 + buf.readInt32BE(at + 1);
    for (let field = at + 5; field < end && buf[field] !== 0; ) {
      const [value, next] = readCString(buf, field + 1);
      if (buf[field] === 0x4d /* M */) return value;
      field = next;
    }
    return 'unknown error';
  }
  return undefined;
}

/**
 * Follows the backend's output stream, which PGlite hands over in arbitrary chunks, just far
 * enough to know whether it last stopped at ReadyForQuery and with which transaction status.
 */
export class BackendTracker {
  private readonly header = Buffer.alloc(6);
  private headerLength = 0;
  private skip = 0;
  private lastType = 0;

  feed(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      this.header[this.headerLength++] = chunk[i++]!;
      if (this.headerLength < 5) continue;
      const type = this.header[0]!;
      const length = this.header.readInt32BE(1);
      // ReadyForQuery's one body byte is its transaction status: keep it in the header buffer.
      if (type === 0x5a /* Z */ && this.headerLength === 5) continue;
      this.lastType = type;
      this.skip = type === 0x5a ? 0 : length - 4;
      if (type !== 0x5a) this.header[5] = 0;
      this.headerLength = 0;
    }
  }

  /** `I` (idle), `T` (in a transaction) or `E` (failed transaction) right after ReadyForQuery; else undefined. */
  readyStatus(): 'I' | 'T' | 'E' | undefined {
    if (this.headerLength !== 0 || this.skip !== 0 || this.lastType !== 0x5a) return undefined;
    return String.fromCharCode(this.header[5]!) as 'I' | 'T' | 'E';
  }
}
