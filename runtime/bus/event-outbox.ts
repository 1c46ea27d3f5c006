import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readFile, truncate } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EventBusError, OutboxCorruptError } from './errors.js';
import type { EventEnvelope } from './event-envelope.js';
import { isPlainObject } from './pattern-model.js';

/**
 * The bus's durable, append-only JSONL log. An event is on disk (fsync'd) before PutEvents answers,
 * and every delivery outcome follows it, so a restart rebuilds exactly what was delivered and what
 * is still owed.
 */
export type OutboxRecord =
  | {
      readonly t: 'accepted';
      readonly at: number;
      readonly bus: string;
      readonly event: EventEnvelope;
      /** Names of the rules that matched when the event was accepted. */
      readonly rules: readonly string[];
    }
  | {
      readonly t: 'delivered';
      readonly at: number;
      readonly id: string;
      readonly rule: string;
      readonly attempt: number;
    }
  | {
      readonly t: 'failed';
      readonly at: number;
      readonly id: string;
      readonly rule: string;
      readonly attempt: number;
      readonly error: string;
      /** When the next attempt is due (epoch ms); null when the delivery is given up for good. */
      readonly retryAt: number | null;
    };

export const OUTBOX_FILE = join('bus', 'outbox.jsonl');

export class EventOutbox {
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  /** Set when a failed write could not be undone: appending after it could bury a torn line. */
  private broken: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    /** Bytes known durable (the file size after the last successful fdatasync). */
    private end: number,
  ) {}

  /** Opens (creating) the outbox under `dataDir` and returns it with the records already in it. */
  static async open(dataDir: string): Promise<{ outbox: EventOutbox; records: OutboxRecord[] }> {
    if (typeof dataDir !== 'string' || dataDir.length === 0) {
      throw new EventBusError(`dataDir must be a non-empty path, got ${JSON.stringify(dataDir)}`);
    }
    const path = join(dataDir, OUTBOX_FILE);
    await mkdir(dirname(path), { recursive: true });
    const records = await readRecords(path);
    const handle = await open(path, 'a');
    await syncDir(dirname(path));
    return { outbox: new EventOutbox(path, handle, (await handle.stat()).size), records };
  }

  /** Appends the records in one write and fsyncs; appends are serialized in call order. */
  append(records: readonly OutboxRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new EventBusError('the event outbox is closed'));
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    const write = this.tail.then(async () => {
      if (this.broken) throw this.broken;
      try {
        await this.handle.write(text);
        await this.handle.datasync();
        this.end += Buffer.byteLength(text);
      } catch (error) {
        throw await this.undo(error);
      }
    });
    // A failed write must not wedge every later append behind it.
    this.tail = write.catch(() => undefined);
    return write;
  }

  /**
   * A write cut short (a full disk) would leave a torn line that the next append buries mid-file,
   * which the next start reads as damage. So the file is cut back to its durable end; the append
   * fails, and the next one (once there is space) succeeds. If even that fails, appends stop.
   */
  private async undo(error: unknown): Promise<Error> {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    try {
      await this.handle.truncate(this.end);
      await this.handle.datasync();
      return new EventBusError(
        `could not write to the event outbox ${this.path} (${code}); the event was not accepted, retry`,
        { cause: error },
      );
    } catch {
      this.broken = new EventBusError(
        `the event outbox ${this.path} could not be repaired after ${code}; restart the runtime`,
        { cause: error },
      );
      return this.broken;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    await this.handle.close();
  }
}

/**
 * Reads every record. A last line without its newline is a write cut short by a crash: its
 * PutEvents never answered, so it is dropped and the file truncated to the last whole record. Any
 * other unreadable line means the file was damaged, and the bus refuses to guess.
 */
async function readRecords(path: string): Promise<OutboxRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const complete = text.lastIndexOf('\n') + 1;
  if (complete < text.length) await truncate(path, Buffer.byteLength(text.slice(0, complete)));
  const lines = text.slice(0, complete).split('\n');
  lines.pop();
  return lines.map((line, i) => parseRecord(line, `${path}:${i + 1}`));
}

function parseRecord(line: string, where: string): OutboxRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new OutboxCorruptError(`${where} is not JSON; the outbox is damaged (restore it or move it aside)`);
  }
  if (!isPlainObject(value) || !isRecord(value)) {
    throw new OutboxCorruptError(
      `${where} is not an outbox record; the outbox is damaged (restore it or move it aside)`,
    );
  }
  return value;
}

function isRecord(v: Record<string, unknown>): v is OutboxRecord {
  if (typeof v.at !== 'number') return false;
  if (v.t === 'accepted') {
    return (
      typeof v.bus === 'string' &&
      isPlainObject(v.event) &&
      typeof v.event.id === 'string' &&
      Array.isArray(v.rules) &&
      v.rules.every((r) => typeof r === 'string')
    );
  }
  if (v.t !== 'delivered' && v.t !== 'failed') return false;
  if (typeof v.id !== 'string' || typeof v.rule !== 'string' || typeof v.attempt !== 'number') return false;
  return (
    v.t === 'delivered' ||
    (typeof v.error === 'string' && (v.retryAt === null || typeof v.retryAt === 'number'))
  );
}

/** A new file's directory entry is only durable once the directory is fsync'd. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
