import { Worker } from 'node:worker_threads';
import { InvalidInputError, NotFoundError, SnapshotFailedError } from '../../errors.js';
import type { WireDatabase } from './pg-shared-session.js';
import { pgliteThreadEntry } from './pglite-thread-entry.js';
import type { ThreadError, ThreadReply, ThreadRequest, ThreadStart } from './pglite-thread-protocol.js';

/** A request before `call` numbers it (distributed over the union, so each op keeps its fields). */
type Unnumbered<R = ThreadRequest> = R extends unknown ? Omit<R, 'id'> : never;

interface Pending {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly onData?: (data: Uint8Array) => void;
}

/**
 * One volume's PGlite, running in a worker thread of its own (pglite-thread.ts), seen from the
 * runtime's thread: the part of PGlite's surface the wire server and VolumeHost use. A masking
 * UPDATE, a migration, a CHECKPOINT or a Postgres start runs there, so the engine, the bus and the
 * console keep their event loop. Sockets cannot move between threads, so the wire server stays here
 * and forwards each message; the output comes back in order, moved rather than copied.
 *
 * `runExclusive` is a mutex on this side: every caller goes through this object, so holding it
 * keeps everything else from the thread (VolumeHost.withQuiesced relies on that). A thread that
 * dies fails every pending and later call with one line naming the volume, instead of hanging them.
 */
export class ThreadedPGlite implements WireDatabase {
  private worker?: Worker;
  /** Resolves once the thread exists (from source, its entry is compiled first). */
  private readonly started: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private turn: Promise<void> = Promise.resolve();
  private ended?: Error;
  private warmDone = false;
  private readonly warmReady: Promise<void>;
  private attached = false;

  private constructor(
    /** What errors name the thread by: its data directory, once it has one. */
    private label: string,
    start: ThreadStart,
  ) {
    let ready: () => void = () => undefined;
    let notReady: (error: Error) => void = () => undefined;
    this.warmReady = new Promise<void>((resolve, reject) => {
      ready = resolve;
      notReady = reject;
    });
    this.warmReady.catch(() => undefined);
    this.started = pgliteThreadEntry().then((entry) => {
      if (this.ended) return;
      const worker = new Worker(entry, { workerData: start, name: `pglite ${label}` });
      // Idle, the thread must not keep the process alive (a spare); busy, it must (see `call`).
      worker.unref();
      worker.on('message', (reply: ThreadReply) => {
        if (reply.kind === 'warm') {
          this.warmDone = true;
          ready();
        } else this.settle(reply);
      });
      worker.on('error', (error) => this.end(error.message));
      worker.on('exit', (code) => {
        this.end(`exit code ${code}`);
        notReady(this.ended!);
      });
      this.worker = worker;
    });
    this.started.catch((error: Error) => {
      this.end(error.message);
      notReady(this.ended!);
    });
  }

  /** A thread whose PGlite has started up to where it needs a data directory; `attach` gives it one. */
  static spare(startParams: readonly string[]): ThreadedPGlite {
    return new ThreadedPGlite('spare', { startParams: [...startParams], warm: true });
  }

  /** A new thread with PGlite started cold on `dataDir`. */
  static async open(dataDir: string, startParams: readonly string[]): Promise<ThreadedPGlite> {
    const db = new ThreadedPGlite(dataDir, { startParams: [...startParams], warm: false });
    try {
      await db.call({ op: 'open', dataDir });
    } catch (error) {
      await db.terminate();
      throw error;
    }
    db.attached = true;
    return db;
  }

  /** True once a spare has done all the work that does not need a data directory. */
  get ready(): boolean {
    return this.warmDone && !this.ended;
  }

  whenReady(): Promise<void> {
    return this.warmReady;
  }

  /** Starts Postgres on `dataDir` in this spare's thread; single use. */
  async attach(dataDir: string): Promise<ThreadedPGlite> {
    if (this.attached) throw new SnapshotFailedError('a warm PGlite serves one volume only; take a new one');
    this.attached = true;
    this.label = dataDir;
    await this.call({ op: 'attach', dataDir });
    return this;
  }

  /** Ends a spare that was never attached. */
  abandon(): void {
    void this.terminate();
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

  /** Closes PGlite (its files with it) and ends the thread. */
  async close(): Promise<void> {
    try {
      if (!this.ended) await this.runExclusive(() => this.call({ op: 'close' }));
    } finally {
      await this.terminate();
    }
  }

  private async terminate(): Promise<void> {
    await this.started.catch(() => undefined);
    this.end('closed');
    await this.worker?.terminate();
  }

  private async call(
    request: Unnumbered,
    onData?: (data: Uint8Array) => void,
    transfer: ArrayBuffer[] = [],
  ): Promise<void> {
    await this.started;
    const worker = this.worker;
    if (this.ended || !worker) throw this.ended;
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onData });
      worker.ref();
      worker.postMessage({ ...request, id }, transfer);
    });
  }

  private settle(reply: Exclude<ThreadReply, { kind: 'warm' }>): void {
    const call = this.pending.get(reply.id);
    if (!call) return;
    if (reply.kind === 'data') {
      call.onData?.(reply.data);
      return;
    }
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (reply.kind === 'done') call.resolve();
    else call.reject(rebuild(reply.error));
  }

  /** The thread is gone (crash, WASM abort, terminate): nothing pending may wait for it. */
  private end(reason: string): void {
    this.ended ??= new SnapshotFailedError(
      `the PGlite thread of ${this.label} ended (${reason.split('\n')[0]}); the volume must be opened again`,
    );
    for (const call of this.pending.values()) call.reject(this.ended);
    this.pending.clear();
  }
}

const REBUILT: Record<string, new (message: string) => Error> = {
  [new InvalidInputError('').name]: InvalidInputError,
  [new NotFoundError('').name]: NotFoundError,
  [new SnapshotFailedError('').name]: SnapshotFailedError,
};

/** The thread's error as the class it had there where Tollgate defines it, else an Error of that name. */
function rebuild(error: ThreadError): Error {
  const Rebuilt = REBUILT[error.name];
  if (Rebuilt) return new Rebuilt(error.message);
  const plain = new Error(error.message);
  plain.name = error.name;
  return plain;
}
