import type { HistoryEvent } from '../asl/history/history-event.js';
import type { StoreRecord } from '../store/engine-store.js';
import { CorruptLogError } from '../store/errors.js';
import {
  type Checkpoint,
  type ExecutionRecord,
  ExecutionStatus,
  type StateMachineRecord,
  type StateMachineVersion,
} from './engine-model.js';
import type { ExecutionHistory } from './execution-history.js';
import { LazyAbortController } from './lazy-abort-controller.js';

/** What SendTaskSuccess/SendTaskFailure delivered; persisted so a crash cannot lose it. */
export type TokenOutcome =
  | { readonly ok: true; readonly output: unknown }
  | { readonly ok: false; readonly error?: string; readonly cause?: string };

/** What is persisted about a token so it still works after a restart. */
export type TokenRecord = {
  readonly token: string;
  readonly executionArn: string;
  readonly stateName: string;
  readonly heartbeatSeconds?: number;
  /** The Entered event of the task state that issued it (absent in logs from older engines). */
  readonly enteredEventId?: number;
  /** The retry count of the attempt that issued it (absent in logs from older engines: 0). */
  readonly attempt?: number;
};

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
      /**
       * The definition the execution runs; absent when it is `rev`, the state machine's version
       * current when the record was written, which the log holds earlier (see executionStarted).
       */
      readonly definition?: string;
      readonly rev?: string;
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

type Kind<T extends EngineRecord['t']> = Extract<EngineRecord, { readonly t: T }>;

/**
 * The one place each record is built, so a kind has one shape whoever writes it (the API
 * operations, the runner, the token registry, compaction). Field names are the on-disk format:
 * existing data directories hold them (see test/unit/runtime/engine/log-format.test.ts).
 */
export const engineRecord = {
  /** Everything DescribeStateMachine shows, so a restart shows the same. */
  stateMachine: (sm: StateMachineRecord): Kind<'sm'> => ({
    t: 'sm',
    arn: sm.arn,
    name: sm.name,
    type: sm.type,
    creationDate: sm.creationDate,
    current: sm.current,
    description: sm.description,
    loggingConfiguration: sm.loggingConfiguration,
    tracingConfiguration: sm.tracingConfiguration,
  }),
  stateMachineUpdated: (arn: string, current: StateMachineVersion): Kind<'sm-update'> => ({
    t: 'sm-update',
    arn,
    current,
  }),
  stateMachineDeleted: (arn: string): Kind<'sm-del'> => ({ t: 'sm-del', arn }),
  execution: (exec: ExecutionRecord): Kind<'exec'> => ({
    t: 'exec',
    x: exec.executionArn,
    sm: exec.stateMachineArn,
    name: exec.name,
    inputText: exec.inputText,
    definition: exec.definition,
    roleArn: exec.roleArn,
    startDate: exec.startDate,
  }),
  /**
   * StartExecution's record. An execution runs its state machine's current version, whose
   * definition (up to 1 MB) the log already holds in that state machine's `sm`/`sm-update` record,
   * so it names the version instead of writing the definition again for every execution. Replay
   * reads the log in order and finds that version current when it reaches this record. `version`
   * must be one the log holds before this record; an execution on any other version (compaction
   * keeps only the current ones) is written with its definition.
   */
  executionStarted: (exec: ExecutionRecord, version: StateMachineVersion | undefined): Kind<'exec'> => {
    if (version === undefined || exec.definition !== version.definition) return engineRecord.execution(exec);
    return {
      t: 'exec',
      x: exec.executionArn,
      sm: exec.stateMachineArn,
      name: exec.name,
      inputText: exec.inputText,
      rev: version.revisionId,
      roleArn: exec.roleArn,
      startDate: exec.startDate,
    };
  },
  event: (x: string, e: HistoryEvent, thread: string): Kind<'ev'> =>
    thread === '' ? { t: 'ev', x, e } : { t: 'ev', x, e, th: thread },
  events: (x: string, e: readonly HistoryEvent[], threads: readonly string[]): Kind<'evs'> =>
    threads.every((th) => th === '') ? { t: 'evs', x, e } : { t: 'evs', x, e, th: threads },
  checkpoint: (x: string, checkpoint: Checkpoint): Kind<'ckpt'> => ({ t: 'ckpt', x, ...checkpoint }),
  /** The execution's status as it is now: written when it ends (a redrive record reopens it). */
  status: (exec: ExecutionRecord): Kind<'exec-status'> => ({
    t: 'exec-status',
    x: exec.executionArn,
    status: exec.status,
    stopDate: exec.stopDate,
    outputText: exec.outputText,
    error: exec.error,
    cause: exec.cause,
  }),
  redrive: (
    x: string,
    redriveCount: number,
    redriveDate: number,
    from: Checkpoint | undefined,
  ): Kind<'redrive'> => ({
    t: 'redrive',
    x,
    redriveCount,
    redriveDate,
    ...(from ? { from } : {}),
  }),
  token: (record: TokenRecord): Kind<'token'> => ({ t: 'token', ...record }),
  /**
   * A settled token. The execution and outcome are kept while the outcome may still have to be
   * handed to its task (see recovery); a bare one only keeps the token refused from then on.
   */
  tokenDone: (token: string, settled?: { x: string; outcome?: TokenOutcome }): Kind<'token-done'> =>
    settled ? { t: 'token-done', token, x: settled.x, outcome: settled.outcome } : { t: 'token-done', token },
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

/** The part of the engine that replay rebuilds. */
export interface ReplayTarget {
  readonly stateMachines: Map<string, StateMachineRecord>;
  readonly executions: Map<string, ExecutionRecord>;
  readonly tokens: { markFinished(token: string, record?: TokenRecord): void };
  newHistory(executionArn: string): ExecutionHistory;
}

export interface ReplayedTokens {
  /** Issued and not settled. */
  readonly pending: Map<string, TokenRecord>;
  /** Settled with an outcome recorded (logs from older engines record none). */
  readonly settled: Map<string, { record: TokenRecord; outcome: TokenOutcome }>;
  /** Every token record seen, so a token-done can name its execution and state. */
  readonly known: Map<string, TokenRecord>;
}

/**
 * Folds one replayed record into the engine's state; the tokens are only gathered here and
 * settled once the whole log is read (see recovery.ts).
 */
export function applyRecord(core: ReplayTarget, tokens: ReplayedTokens, r: EngineRecord): void {
  switch (r.t) {
    case 'sm': {
      const sm: StateMachineRecord = {
        arn: r.arn,
        name: r.name,
        type: r.type,
        creationDate: r.creationDate,
        current: r.current,
        // Logs written before these fields were recorded fall back to CreateStateMachine's defaults.
        loggingConfiguration: r.loggingConfiguration ?? { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: r.tracingConfiguration ?? { enabled: false },
        description: r.description,
        deleting: false,
      };
      core.stateMachines.set(sm.arn, sm);
      return;
    }
    case 'sm-update': {
      const sm = core.stateMachines.get(r.arn);
      if (sm) sm.current = r.current;
      return;
    }
    case 'sm-del': {
      const sm = core.stateMachines.get(r.arn);
      if (sm) sm.deleting = true;
      return;
    }
    case 'exec': {
      core.executions.set(r.x, {
        executionArn: r.x,
        stateMachineArn: r.sm,
        name: r.name,
        inputText: r.inputText,
        definition: r.definition ?? definitionOf(core, r),
        roleArn: r.roleArn,
        startDate: r.startDate,
        status: ExecutionStatus.Running,
        redriveCount: 0,
        history: core.newHistory(r.x),
        controller: new LazyAbortController(),
        done: Promise.resolve(),
        startWrite: undefined,
      });
      return;
    }
    case 'ev':
      core.executions.get(r.x)?.history.restore(r.e, r.th ?? '');
      return;
    case 'evs': {
      const history = core.executions.get(r.x)?.history;
      if (history) for (const [i, event] of r.e.entries()) history.restore(event, r.th?.[i] ?? '');
      return;
    }
    case 'ckpt': {
      const exec = core.executions.get(r.x);
      if (exec) {
        const { t: _t, x: _x, ...checkpoint } = r;
        exec.checkpoint = checkpoint;
      }
      return;
    }
    case 'exec-status': {
      const exec = core.executions.get(r.x);
      if (!exec) return;
      exec.status = r.status;
      exec.stopDate = r.stopDate;
      exec.outputText = r.outputText;
      exec.error = r.error;
      exec.cause = r.cause;
      return;
    }
    case 'redrive': {
      const exec = core.executions.get(r.x);
      if (!exec) return;
      exec.status = ExecutionStatus.Running;
      exec.redriveCount = r.redriveCount;
      exec.redriveDate = r.redriveDate;
      exec.redriveFrom = r.from;
      exec.stopDate = undefined;
      exec.error = undefined;
      exec.cause = undefined;
      exec.outputText = undefined;
      return;
    }
    case 'token': {
      const { t: _t, ...record } = r;
      tokens.pending.set(r.token, record);
      tokens.known.set(r.token, record);
      return;
    }
    case 'token-done': {
      const record = tokens.known.get(r.token);
      tokens.pending.delete(r.token);
      core.tokens.markFinished(r.token, record);
      if (record && r.outcome) tokens.settled.set(r.token, { record, outcome: r.outcome });
      return;
    }
  }
}

/** The definition an `exec` record names by its state machine's version (see executionStarted). */
function definitionOf(core: ReplayTarget, r: Kind<'exec'>): string {
  const current = core.stateMachines.get(r.sm)?.current;
  if (current === undefined || r.rev === undefined || current.revisionId !== r.rev) {
    throw new CorruptLogError(
      `engine log: execution ${r.x} runs revision ${r.rev ?? '(none)'} of ${r.sm}, but the log holds no such version before it (current: ${current?.revisionId ?? 'no state machine'})`,
    );
  }
  return current.definition;
}
