/**
 * The messages between a volume's PGlite thread (pglite-thread.ts) and its stand-in on the
 * runtime's thread (threaded-pglite.ts). Every request carries an id; the thread answers it with
 * `data` messages (wire-protocol output, streamed) and then exactly one `done` or `failed`.
 */
export type ThreadRequest =
  | { readonly id: number; readonly op: 'open'; readonly dataDir: string }
  | { readonly id: number; readonly op: 'attach'; readonly dataDir: string }
  | { readonly id: number; readonly op: 'exec'; readonly sql: string }
  | { readonly id: number; readonly op: 'raw'; readonly message: Uint8Array }
  | { readonly id: number; readonly op: 'close' }
  /** Close the volume's PGlite and free its memory; the thread stays, without a PGlite, for `warm`. */
  | { readonly id: number; readonly op: 'recycle' }
  /** Start a new warm PGlite in this thread, announced as `round`. */
  | { readonly id: number; readonly op: 'warm'; readonly round: number };

export type ThreadReply =
  /**
   * The warm PGlite of `round` (0 at the start, then each recycle's) has done everything that does
   * not need a data directory. The round keeps a late announcement from passing for a later one.
   */
  | { readonly kind: 'warm'; readonly round: number }
  | { readonly kind: 'data'; readonly id: number; readonly data: Uint8Array }
  | { readonly kind: 'done'; readonly id: number }
  | { readonly kind: 'failed'; readonly id: number; readonly error: ThreadError };

/** An error as it crosses the thread boundary: its name picks the class it is rebuilt as. */
export interface ThreadError {
  readonly name: string;
  readonly message: string;
}

/** What the thread is started with (`workerData`). */
export interface ThreadStart {
  readonly startParams: readonly string[];
  /** Start a PGlite up to where it needs its data directory at once, for `attach`. */
  readonly warm: boolean;
}
