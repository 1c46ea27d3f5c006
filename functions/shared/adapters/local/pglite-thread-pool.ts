import { InvalidInputError } from '../../errors.js';
import { PGliteWorker } from './pglite-worker.js';
import { ThreadedPGlite, type ThreadHome } from './threaded-pglite.js';

/** What the pool has done since it was made (tests, the bench). */
export interface ThreadPoolCounts {
  /** Threads started. */
  readonly started: number;
  /** Threads whose PGlite closed and that became spares again. */
  readonly recycled: number;
  /** Threads ended: over the bound, failed, crashed, or by `endIdle`. */
  readonly ended: number;
  /** Spares waiting to be taken now. */
  readonly idle: number;
}

/**
 * PGlite worker threads kept across the volumes they serve. A new thread costs a V8 isolate and
 * PGlite's JavaScript loaded and run cold; a recycled one has both, so its next warm PGlite starts
 * for a fraction of the CPU (bench/data-thread.ts). When a volume's PGlite closes, its thread closes
 * it and starts a new warm PGlite, and waits here as a spare for the next volume with the same
 * start parameters (`take`). A thread whose PGlite faulted or whose close failed is ended instead.
 *
 * Bounded: a thread closing while `maxIdle` spares wait is ended, not recycled (and a spare beyond
 * the bound, oldest first), so a process that served many volumes once holds
 * at most `maxIdle` idle PGlites. Spares never keep the process alive (their worker is unref'd
 * while no call is pending), so a CLI or a test file exits with them still here.
 */
export class PGliteThreadPool {
  /**
   * Idle threads, oldest first: spares with a warm PGlite started or starting, and recycled threads
   * with none yet. A recycled thread warms when `prepare` or `take` asks for one, not when its
   * volume closes: that is in the middle of a refresh, whose restart of the same volume on another
   * thread it would slow by a core's worth of work (PGlite's set-up), measured +90 ms on 2 cores.
   */
  private readonly idle: PGliteWorker[] = [];
  private counts = { started: 0, recycled: 0, ended: 0 };
  private readonly home: ThreadHome = {
    recycle: (thread) => this.recycle(thread),
    putBack: (thread) => this.keep(thread),
  };

  constructor(
    readonly maxIdle: number,
    /**
     * Volumes one thread serves before it is ended instead of recycled: RSS crept up by about
     * 2 MiB per recycle of the same thread (40 rounds measured), which a fresh isolate gives back.
     */
    readonly maxUses = 10,
  ) {
    if (!Number.isInteger(maxIdle) || maxIdle < 0) {
      throw new InvalidInputError(`PGliteThreadPool maxIdle must be a whole number ≥ 0, got ${maxIdle}`);
    }
    if (!Number.isInteger(maxUses) || maxUses < 1) {
      throw new InvalidInputError(`PGliteThreadPool maxUses must be a whole number ≥ 1, got ${maxUses}`);
    }
  }

  /**
   * A spare for `startParams`: an idle thread (one whose warm PGlite is ready first), else a new
   * one. Attached at once, it starts the volume no slower than a cold start; ready, in about half.
   */
  take(startParams: readonly string[]): ThreadedPGlite {
    const key = keyOf(startParams);
    const fits = this.idle.filter((t) => keyOf(t.startParams) === key);
    const thread = fits.find((t) => t.ready) ?? fits.find((t) => t.warmed) ?? fits[0];
    if (!thread) return new ThreadedPGlite(this.start(startParams), this.home);
    this.idle.splice(this.idle.indexOf(thread), 1);
    if (!thread.warmed) thread.warmAgain();
    return new ThreadedPGlite(thread, this.home);
  }

  /**
   * A spare for `startParams` attached to the data directory `dir`: the pooled way to start a
   * PGlite. A failed attach faults the thread, so it is closed (ended, not recycled) and the attach's
   * error, the one that says what went wrong, is what the caller sees.
   */
  async open(startParams: readonly string[], dir: string): Promise<ThreadedPGlite> {
    const spare = this.take(startParams);
    try {
      return await spare.attach(dir);
    } catch (error) {
      await spare.close().catch(() => undefined);
      throw error;
    }
  }

  /** Whether a spare for `startParams` waits with its warm PGlite ready. */
  hasReady(startParams: readonly string[]): boolean {
    const key = keyOf(startParams);
    return this.idle.some((t) => t.ready && keyOf(t.startParams) === key);
  }

  /** Makes sure a spare for `startParams` is waiting or on its way (after a volume is served). */
  prepare(startParams: readonly string[]): void {
    const key = keyOf(startParams);
    const fits = this.idle.filter((t) => keyOf(t.startParams) === key);
    if (this.maxIdle === 0 || fits.some((t) => t.warmed)) return;
    // A recycled thread of these parameters warms in place; only without one does a thread start.
    if (fits[0]) fits[0].warmAgain();
    else this.keep(this.start(startParams));
  }

  /** Resolves once a spare for `startParams`, if one waits, has its warm PGlite ready. */
  async whenReady(startParams: readonly string[]): Promise<void> {
    const key = keyOf(startParams);
    const spare = this.idle.find((t) => t.warmed && keyOf(t.startParams) === key);
    await spare?.whenReady().catch(() => undefined);
  }

  countsNow(): ThreadPoolCounts {
    return { ...this.counts, idle: this.idle.length };
  }

  /** Ends every idle spare (a test or bench that wants its threads gone before it measures). */
  async endIdle(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((t) => this.end(t)));
  }

  private start(startParams: readonly string[]): PGliteWorker {
    this.counts.started += 1;
    const thread = new PGliteWorker(startParams, true);
    // However it ends (bound, failure, crash, endIdle), an ended thread is never handed out.
    thread.onEnd(() => {
      this.counts.ended += 1;
      const at = this.idle.indexOf(thread);
      if (at >= 0) this.idle.splice(at, 1);
    });
    return thread;
  }

  /** The thread's PGlite served a volume: closed, kept to be warmed again in this thread, or ended. */
  private async recycle(thread: PGliteWorker): Promise<void> {
    // With the spares already at the bound, warming another would only be paid for and ended.
    if (this.idle.length >= this.maxIdle || thread.uses >= this.maxUses) {
      // Nowhere to keep it, or served enough: close its PGlite (errors reach the caller) and end it.
      try {
        await thread.call({ op: 'close' });
      } finally {
        await this.end(thread);
      }
      return;
    }
    try {
      await thread.recycle();
    } catch (error) {
      await this.end(thread);
      throw error;
    }
    this.counts.recycled += 1;
    this.keep(thread);
  }

  /** Adds a spare; beyond the bound, the oldest spare goes. */
  private keep(thread: PGliteWorker): void {
    if (thread.isEnded) return;
    this.idle.push(thread);
    while (this.idle.length > this.maxIdle) void this.end(this.idle.shift()!);
  }

  private async end(thread: PGliteWorker): Promise<void> {
    await thread.terminate();
  }
}

function keyOf(startParams: readonly string[]): string {
  return JSON.stringify(startParams);
}

/**
 * The process's pool: every VolumeHost in the process shares it (tests run several in one file).
 * Two spares: one for the next refresh, one for a second host or a second set of start parameters.
 */
export const pgliteThreadPool = new PGliteThreadPool(2);
