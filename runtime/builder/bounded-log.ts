import { createWriteStream, type WriteStream } from 'node:fs';

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

  constructor(
    readonly path: string,
    limits: BoundedLogLimits = {},
  ) {
    this.headLimit = limits.fileHeadBytes ?? 4 * 1024 * 1024;
    this.tailLimit = limits.tailBytes ?? 64 * 1024;
    this.file = createWriteStream(path, { flags: 'a' });
  }

  /** A line of our own (the command being run): always kept, in order. */
  note(line: string): void {
    this.flushOverflow();
    this.file.write(`${line}\n`);
  }

  write(chunk: Buffer): void {
    this.total += chunk.length;
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
    return new Promise((resolve) => this.file.end(resolve));
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
