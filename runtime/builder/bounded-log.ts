import { createWriteStream, type WriteStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Which of a command's pipes a chunk came from. */
export type OutputStream = 'stdout' | 'stderr';

/** The most of one unfinished line held for `onLine`. */
const PARTIAL_LIMIT = 8_192;

/**
 * A build's output, bounded: a chatty or runaway build must not fill memory or the disk. The log
 * file keeps the first `fileHeadBytes`; past that only the last `tailBytes` are kept, written after
 * a line that says how many bytes were dropped. Memory only ever holds those last `tailBytes`,
 * which are also what an error message quotes.
 */
export interface BoundedLogLimits {
  /** @default 4 MiB */
  readonly fileHeadBytes?: number;
  /** @default 64 KiB */
  readonly tailBytes?: number;
}

export class BoundedLog {
  private readonly file: WriteStream;
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private written = 0;
  /** Output past the head not yet written to the file; only its last `tailLimit` bytes survive. */
  private overflow = 0;
  private recent: Buffer[] = [];
  private recentSize = 0;
  /** Bytes of output the log file does not keep. */
  dropped = 0;
  /** Bytes of output seen. */
  total = 0;

  /**
   * Per stream, the part of its output after its last newline (until the rest of that line
   * arrives) and the decoder holding a character split between two chunks. Apart, because the two
   * pipes are read in no fixed order: one shared buffer joined a stderr line onto a half-written
   * stdout line, or the halves of a character one stream split with the other stream's bytes.
   */
  private readonly streams = new Map<OutputStream, { partial: string; decoder: StringDecoder }>();

  constructor(
    readonly path: string,
    limits: BoundedLogLimits = {},
    /** Told each whole line (ours and the output's), e.g. for the run's task log. */
    private readonly onLine?: (line: string) => void,
  ) {
    this.headLimit = limits.fileHeadBytes ?? 4 * 1024 * 1024;
    this.tailLimit = limits.tailBytes ?? 64 * 1024;
    this.file = createWriteStream(path, { flags: 'a' });
  }

  /** A line of our own (the command being run): always kept, in order. */
  note(line: string): void {
    this.flushOverflow();
    this.flushPartial();
    this.file.write(`${line}\n`);
    this.onLine?.(line);
  }

  write(chunk: Buffer, stream: OutputStream = 'stdout'): void {
    this.total += chunk.length;
    if (this.onLine) this.splitLines(chunk, stream);
    this.remember(chunk);
    const room = Math.max(0, this.headLimit - this.written);
    const head = chunk.subarray(0, room);
    if (head.length) {
      this.file.write(head);
      this.written += head.length;
    }
    this.overflow += chunk.length - head.length;
  }

  /** The last `maxBytes` of output (at most the tail kept in memory). */
  lastOutput(maxBytes: number): string {
    const all = Buffer.concat(this.recent);
    return all.subarray(Math.max(0, all.length - maxBytes)).toString('utf8');
  }

  close(): Promise<void> {
    this.flushOverflow();
    this.flushPartial();
    return new Promise((resolve) => this.file.end(resolve));
  }

  /**
   * Hands each whole line of output to `onLine`. A line is held until its newline arrives, at most
   * PARTIAL_LIMIT characters of it (a 10 MB line without a newline must not sit in memory); a
   * character split between two chunks is joined again by the decoder.
   */
  private splitLines(chunk: Buffer, stream: OutputStream): void {
    const state = this.streams.get(stream) ?? { partial: '', decoder: new StringDecoder('utf8') };
    this.streams.set(stream, state);
    const text = state.partial + state.decoder.write(chunk);
    const lines = text.split('\n');
    const rest = lines.pop() ?? '';
    for (const line of lines) this.onLine?.(line.endsWith('\r') ? line.slice(0, -1) : line);
    state.partial = rest.length > PARTIAL_LIMIT ? rest.slice(0, PARTIAL_LIMIT) : rest;
  }

  private flushPartial(): void {
    for (const state of this.streams.values()) {
      const rest = state.partial + state.decoder.end();
      state.partial = '';
      if (rest && this.onLine) this.onLine(rest);
    }
  }

  private remember(chunk: Buffer): void {
    this.recent.push(chunk);
    this.recentSize += chunk.length;
    while (this.recent.length > 1 && this.recentSize - this.recent[0]!.length >= this.tailLimit) {
      this.recentSize -= this.recent.shift()!.length;
    }
    if (this.recentSize > this.tailLimit) {
      const cut = this.recentSize - this.tailLimit;
      this.recent[0] = this.recent[0]!.subarray(cut);
      this.recentSize -= cut;
    }
  }

  private flushOverflow(): void {
    if (this.overflow === 0) return;
    const kept = Math.min(this.overflow, this.recentSize);
    const lost = this.overflow - kept;
    if (lost > 0) {
      this.dropped += lost;
      this.file.write(`\n[... ${lost} bytes of build output dropped; the last ${kept} follow ...]\n`);
    }
    this.file.write(Buffer.concat(this.recent).subarray(this.recentSize - kept));
    this.overflow = 0;
  }
}
