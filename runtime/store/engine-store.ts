/**
 * Durable storage for the local engine: an append-only log of JSON records that the engine replays
 * at start-up to rebuild its state. The engine owns the record types; the store only guarantees
 * order and durability.
 *
 * Contract:
 * - `append` resolves only after every record in the call is durable (fsync'd). Concurrent calls
 *   are group-committed: one fsync covers every record queued while the previous one ran.
 * - Records come back from `replay` in exactly the order their `append` calls were made, and a
 *   record whose `append` resolved always comes back, even after `kill -9`.
 * - A torn tail (a partial record after a crash) is detected and dropped, never returned.
 * - `compact(live)` atomically replaces the log with `live` (records that still matter), so replay
 *   time stays bounded by open work rather than by all history ever written.
 */
export type StoreRecord = { readonly t: string } & Record<string, unknown>;

export interface EngineStore {
  append(records: readonly StoreRecord[]): Promise<void>;
  replay(): AsyncIterable<StoreRecord>;
  compact(live: readonly StoreRecord[]): Promise<void>;
  close(): Promise<void>;
  /**
   * Optional: `listener` runs each time a write has finished, just before the store takes what is
   * queued into its next write. A caller that gathers records before appending them (the engine's
   * journal) hands its gathered records over there, so they ride that write instead of arriving
   * just after it started and waiting a whole write+fsync for the one after.
   */
  onWriteDone?(listener: () => void): void;
}
