import { Worker } from 'node:worker_threads';
import { InvalidInputError, NotFoundError, SnapshotFailedError } from '../../errors.js';
import { pgliteThreadEntry } from './pglite-thread-entry.js';
import type { ThreadError, ThreadReply, ThreadRequest, ThreadStart } from './pglite-thread-protocol.js';

/** A request before `call` numbers it (distributed over the union, so each op keeps its fields). */
export type Unnumbered<R = ThreadRequest> = R extends unknown ? Omit<R, 'id'> : never;

interface Pending {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly onData?: (data: Uint8Array) => void;
}

/** One warm PGlite's announcement, awaited by round (see ThreadReply `warm`). */
interface WarmRound {
  readonly round: number;
  done: boolean;
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * A PGlite worker thread (pglite-thread.ts) seen from the runtime's thread: the thread, its calls
 * and its warm PGlite's state, over the volumes it serves in turn. ThreadedPGlite is one volume's
 * use of it; the thread outlives that use when it is recycled (see pglite-thread-pool.ts).
 */
export class PGliteWorker {
  private worker?: Worker;
  /** Resolves once the thread exists (from source, its entry is compiled first). */
  private readonly started: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ended?: Error;
  private warm?: WarmRound;
  /** The last warm round started, so a late announcement never passes for a later round. */
  private rounds = 0;
  private readonly endListeners: Array<() => void> = [];
  /** Callers awaiting the warm PGlite: like a pending call, they keep the process alive. */
  private waiting = 0;
  /** Volumes this thread has been given, one after the other (recycling shows as more than one). */
  uses = 0;

  constructor(
    readonly startParams: readonly string[],
    warm: boolean,
    /** What errors name the thread by: the data directory it serves, once it serves one. */
    public label = 'spare',
  ) {
    if (warm) this.warm = warmRound(0);
    const start: ThreadStart = { startParams: [...startParams], warm };
    this.started = pgliteThreadEntry().then((entry) => {
      if (this.ended) return;
      const worker = new Worker(entry, { workerData: start, name: `pglite ${label}` });
      worker.on('message', (reply: ThreadReply) => this.receive(reply));
      worker.on('error', (error) => this.end(error.message));
      worker.on('exit', (code) => this.end(`exit code ${code}`));
      this.worker = worker;
      this.holdProcess();
    });
    this.started.catch((error: Error) => this.end(error.message));
  }

  /** The worker's thread id once it runs (tests tell threads apart by it). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  /** True once the thread's current warm PGlite has done all that does not need a data directory. */
  get ready(): boolean {
    return !this.ended && this.warm?.done === true;
  }

  /** Resolves when `ready` turns true; rejects if the thread ends first or holds no warm PGlite. */
  whenReady(): Promise<void> {
    if (this.ended) return Promise.reject(this.ended);
    const warm = this.warm;
    if (!warm) return Promise.reject(new InvalidInputError('this PGlite thread was started cold'));
    if (warm.done) return warm.promise;
    this.waiting += 1;
    this.holdProcess();
    return warm.promise.finally(() => {
      this.waiting -= 1;
      this.holdProcess();
    });
  }

  /** Called once when the thread ends, however it ends (the pool drops it from its idle list). */
  onEnd(listener: () => void): void {
    if (this.ended) listener();
    else this.endListeners.push(listener);
  }

  /**
   * Closes the served PGlite and frees its memory, keeping the thread without a PGlite until
   * `warmAgain`. Rejects, and the thread must then be ended, if the close failed.
   */
  recycle(): Promise<void> {
    this.rounds = Math.max(this.rounds, this.warm?.round ?? 0);
    this.warm?.reject(new SnapshotFailedError('superseded by a recycle'));
    this.warm = undefined;
    this.label = 'spare';
    return this.call({ op: 'recycle' });
  }

  /** Starts a new warm PGlite in this (recycled) thread; `whenReady` tells when it is ready. */
  warmAgain(): void {
    this.rounds += 1;
    this.warm = warmRound(this.rounds);
    // A failure here ends nothing by itself: the attach that needs this PGlite fails with it.
    this.call({ op: 'warm', round: this.rounds }).catch((error: Error) => this.warm?.reject(error));
  }

  /** Whether the thread holds a warm PGlite (started or ready), or none since its last recycle. */
  get warmed(): boolean {
    return this.warm !== undefined;
  }

  async call(
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
      this.holdProcess();
      worker.postMessage({ ...request, id }, transfer);
    });
  }

  async terminate(): Promise<void> {
    await this.started.catch(() => undefined);
    this.end('closed');
    await this.worker?.terminate();
  }

  private receive(reply: ThreadReply): void {
    if (reply.kind === 'warm') {
      if (this.warm?.round !== reply.round) return;
      this.warm.done = true;
      this.warm.resolve();
      return;
    }
    const call = this.pending.get(reply.id);
    if (!call) return;
    if (reply.kind === 'data') {
      call.onData?.(reply.data);
      return;
    }
    this.pending.delete(reply.id);
    this.holdProcess();
    if (reply.kind === 'done') call.resolve();
    else call.reject(rebuild(reply.error));
  }

  /**
   * Idle (a spare, however long its warm PGlite takes), the thread must not keep the process alive;
   * with a call or a `whenReady` waiting on it, it must, or the process would exit under them.
   */
  private holdProcess(): void {
    if (this.pending.size > 0 || this.waiting > 0) this.worker?.ref();
    else this.worker?.unref();
  }

  /** The thread is gone (crash, WASM abort, terminate): nothing pending may wait for it. */
  private end(reason: string): void {
    if (this.ended) return;
    this.ended = new SnapshotFailedError(
      `the PGlite thread of ${this.label} ended (${reason.split('\n')[0]}); the volume must be opened again`,
    );
    for (const call of this.pending.values()) call.reject(this.ended);
    this.pending.clear();
    this.warm?.reject(this.ended);
    for (const listener of this.endListeners.splice(0)) listener();
  }
}

function warmRound(round: number): WarmRound {
  let resolve: () => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be waiting for this round (a spare taken before it is ready, a superseded round).
  promise.catch(() => undefined);
  return { round, done: false, promise, resolve, reject };
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
