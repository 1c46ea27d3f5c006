import type { HistoryEvent } from '../asl/history/history-event.js';
import type { StoreRecord } from '../store/engine-store.js';
import type { Checkpoint, ExecutionStatus, StateMachineRecord, StateMachineVersion } from './engine-model.js';
import type { TokenOutcome, TokenRecord } from './task-token-registry.js';

/**
 * What the engine writes to its store, one kind per `t`. The history is the truth (like
 * Temporal's): recovery replays the events, each stored with the thread of work it belongs to
 * (`th`, '' for the top level: see HistoryCursor), and every other record only says what the
 * events cannot (a definition, a token, a terminal status).
 */
export type EngineRecord =
  | ({ readonly t: 'sm' } & StateMachineFields)
  | { readonly t: 'sm-update'; readonly arn: string; readonly current: StateMachineVersion }
  | { readonly t: 'sm-del'; readonly arn: string }
  | {
      readonly t: 'exec';
      readonly x: string;
      readonly sm: string;
      readonly name: string;
      readonly inputText: string;
      readonly definition: string;
      readonly roleArn: string;
      readonly startDate: number;
    }
  /** One event; `th` is absent for the top level and in logs from engines without threads. */
  | { readonly t: 'ev'; readonly x: string; readonly e: HistoryEvent; readonly th?: string }
  /** A batch of events written by compaction; `th` is index for index with `e`. */
  | {
      readonly t: 'evs';
      readonly x: string;
      readonly e: readonly HistoryEvent[];
      readonly th?: readonly string[];
    }
  /** The last top-level transition, where redrive continues from. */
  | ({ readonly t: 'ckpt'; readonly x: string } & Checkpoint)
  | {
      readonly t: 'exec-status';
      readonly x: string;
      readonly status: ExecutionStatus;
      readonly stopDate?: number;
      readonly outputText?: string;
      readonly error?: string;
      readonly cause?: string;
    }
  | {
      readonly t: 'redrive';
      readonly x: string;
      readonly redriveCount: number;
      readonly redriveDate: number;
      /** Where the redriven run starts; replayed from there after a restart (absent in older logs). */
      readonly from?: Checkpoint;
    }
  | ({ readonly t: 'token' } & TokenRecord)
  | {
      readonly t: 'token-done';
      readonly token: string;
      readonly x?: string;
      readonly outcome?: TokenOutcome;
    };

type StateMachineFields = Pick<
  StateMachineRecord,
  | 'arn'
  | 'name'
  | 'type'
  | 'creationDate'
  | 'current'
  | 'description'
  | 'loggingConfiguration'
  | 'tracingConfiguration'
>;

export const engineRecord = {
  event: (x: string, e: HistoryEvent, thread: string): EngineRecord =>
    thread === '' ? { t: 'ev', x, e } : { t: 'ev', x, e, th: thread },
  events: (x: string, e: readonly HistoryEvent[], threads: readonly string[]): EngineRecord =>
    threads.every((th) => th === '') ? { t: 'evs', x, e } : { t: 'evs', x, e, th: threads },
  checkpoint: (x: string, checkpoint: Checkpoint): EngineRecord => ({ t: 'ckpt', x, ...checkpoint }),
  redrive: (
    x: string,
    redriveCount: number,
    redriveDate: number,
    from: Checkpoint | undefined,
  ): EngineRecord => ({
    t: 'redrive',
    x,
    redriveCount,
    redriveDate,
    ...(from ? { from } : {}),
  }),
} as const;

const KINDS: ReadonlySet<string> = new Set([
  'sm',
  'sm-update',
  'sm-del',
  'exec',
  'ev',
  'evs',
  'ckpt',
  'exec-status',
  'redrive',
  'token',
  'token-done',
]);

/**
 * A record read back from the store as the engine's own type, or undefined for kinds a newer
 * engine wrote (skipped rather than guessed at). The store checked it is a JSON object with a `t`;
 * the engine wrote it, so the fields of a known kind are trusted as written.
 */
export function readEngineRecord(record: StoreRecord): EngineRecord | undefined {
  return isEngineRecord(record) ? record : undefined;
}

function isEngineRecord(record: StoreRecord): record is StoreRecord & EngineRecord {
  return KINDS.has(record.t);
}
