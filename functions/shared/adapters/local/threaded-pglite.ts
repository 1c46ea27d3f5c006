import { SnapshotFailedError } from '../../errors.js';
import type { WireDatabase } from './pg-shared-session.js';
import { PGliteWorker, type Unnumbered } from './pglite-worker.js';

/** Where a thread goes when its volume is done with it: a pool (pglite-thread-pool.ts), or nowhere. */
export interface ThreadHome {
  /** The thread's PGlite served a volume, healthy: close it, then recycle or end the thread. */
  recycle(thread: PGliteWorker): Promise<void>;
  /** A spare nobody attached, its warm PGlite untouched. */
  putBack(thread: PGliteWorker): void;
}

/** No pool: the PGlite is closed, then its thread ended. */
const NO_HOME: ThreadHome = {
  async recycle(thread) {
    try {
      await thread.call({ op: 'close' });
    } finally {
      await thread.terminate();
    }
  },
  putBack(thread) {
    void thread.terminate();
  },
};

/** The name PGlite gives a Postgres error: the statement failed, the PGlite is fine. */
const SQL_ERROR = 'error';

/**
 * One volume's PGlite, running in a worker thread (pglite-worker.ts), seen from the runtime's
 * thread: the part of PGlite's surface the wire server and VolumeHost use. A masking UPDATE, a
 * migration, a CHECKPOINT or a Postgres start runs there, so the engine, the bus and the console
 * keep their event loop. Sockets cannot move between threads, so the wire server stays here and
 * forwards each message; the output comes back in order, moved rather than copied.
 *
 * This object is one use of the thread: once closed, every call on it fails, so nothing that held
 * it reaches the next volume the same thread serves (see pglite-thread-pool.ts).
 *
 * `runExclusive` is a mutex on this side: every caller goes through this object, so holding it
 * keeps everything else from the thread (VolumeHost.withQuiesced relies on that). A thread that
 * dies fails every pending and later call with one line naming the volume, instead of hanging them.
 */
export class ThreadedPGlite implements WireDatabase {
  private turn: Promise<void> = Promise.resolve();
  private attached = false;
  private closed?: Error;
  /** The one close: a second caller waits for it instead of sending the thread home twice. */
  private closing?: Promise<void>;
  /** A call failed otherwise than with a Postgres error: this PGlite must not be trusted again. */
  private faulted = false;

  constructor(
    readonly thread: PGliteWorker,
    private readonly home: ThreadHome = NO_HOME,
  ) {}

  /** A new thread whose PGlite starts up to where it needs a data directory; `attach` gives it one. */
  static spare(startParams: readonly string[]): ThreadedPGlite {
    return new ThreadedPGlite(new PGliteWorker(startParams, true));
  }

  /** A new thread with PGlite started cold on `dataDir`, ended when closed. */
  static async open(dataDir: string, startParams: readonly string[]): Promise<ThreadedPGlite> {
    const db = new ThreadedPGlite(new PGliteWorker(startParams, false, dataDir));
    db.attached = true;
    try {
      await db.call({ op: 'open', dataDir });
    } catch (error) {
      await db.thread.terminate();
      throw error;
    }
    return db;
  }

  /** True once the thread's warm PGlite has done all the work that does not need a data directory. */
  get ready(): boolean {
    return this.thread.ready;
  }

  whenReady(): Promise<void> {
    return this.thread.whenReady();
  }

  /** Starts Postgres on `dataDir` from the thread's warm PGlite; single use. */
  async attach(dataDir: string): Promise<ThreadedPGlite> {
    if (this.attached) throw new SnapshotFailedError('a warm PGlite serves one volume only; take a new one');
    this.attached = true;
    this.thread.label = dataDir;
    this.thread.uses += 1;
    await this.call({ op: 'attach', dataDir });
    return this;
  }

  /** Gives up a spare that was never attached: its thread, warm PGlite and all, goes back unused. */
  abandon(): void {
    if (this.attached || this.closed) return;
    this.closed = new SnapshotFailedError('this spare PGlite was abandoned');
    this.home.putBack(this.thread);
  }

  /** Runs SQL (no results), in turn with everything else. */
  exec(sql: string): Promise<void> {
    return this.runExclusive(() => this.call({ op: 'exec', sql }));
  }

  runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn);
    this.turn = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** One wire-protocol message; its output reaches `onRawData` chunk by chunk, in order. */
  execProtocolRawStream(
    message: Uint8Array,
    { onRawData }: { onRawData: (data: Uint8Array) => void },
  ): Promise<void> {
    // Its own copy of just these bytes: a Buffer often views a shared pool, which must not move.
    const own = new Uint8Array(message);
    return this.call({ op: 'raw', message: own }, onRawData, [own.buffer]);
  }

  /**
   * Closes this volume's PGlite (its files with it). A healthy thread goes home to be recycled;
   * one whose PGlite faulted, or whose close fails, is ended.
   */
  close(): Promise<void> {
    if (this.closed && !this.closing) return Promise.resolve();
    this.closing ??= this.runExclusive(async () => {
      // Set inside the turn: calls queued before the close run, any made after it fail here.
      this.closed = new SnapshotFailedError(`the PGlite of ${this.thread.label} is closed`);
      if (this.thread.isEnded || this.faulted) {
        await this.thread.terminate();
        return;
      }
      await this.home.recycle(this.thread);
    });
    return this.closing;
  }

  private async call(
    request: Unnumbered,
    onData?: (data: Uint8Array) => void,
    transfer: ArrayBuffer[] = [],
  ): Promise<void> {
    if (this.closed) throw this.closed;
    try {
      await this.thread.call(request, onData, transfer);
    } catch (error) {
      if ((error as Error).name !== SQL_ERROR) this.faulted = true;
      throw error;
    }
  }
}
