import { randomBytes } from 'node:crypto';
import { AwsApiError } from '../api/aws-service.js';
import { StatesError, StatesErrorName } from '../asl/errors/states-error.js';
import type { IssuedTaskToken, TaskTokenBroker } from '../asl/task/task-token-broker.js';
import type { EngineClock, TimerHandle } from './clock.js';
import { type EngineRecord, engineRecord, type TokenOutcome, type TokenRecord } from './engine-records.js';

/** A settled token: the record it was issued with (when known) and, while it matters, its outcome. */
export interface FinishedToken {
  readonly token: string;
  readonly record?: TokenRecord;
  readonly outcome?: TokenOutcome;
}

type PendingToken = TokenRecord & {
  resolve(output: unknown): void;
  reject(error: StatesError): void;
  heartbeat?: TimerHandle;
};

/** A token read back from the store whose task has not been resumed yet. */
type RestoredToken = TokenRecord & {
  /** Set when the send arrived (before or after the crash) but the task had not consumed it. */
  outcome?: TokenOutcome;
};

const TOKEN_PREFIX = 'tgt1';
// Tokens are opaque to callers; a recognisable prefix lets us tell a malformed token
// (InvalidToken) from a well-formed one we never issued (TaskDoesNotExist), as AWS does.
const TOKEN_SHAPE = /^tgt1[A-Za-z0-9_-]{43}$/;

/**
 * Task tokens for `.waitForTaskToken`. A token settles once; a second SendTask* for it, or one
 * after the task timed out, gets AWS's TaskTimedOut.
 *
 * Durability: the `token-done` record carries the outcome, so a send that was acknowledged just
 * before a crash is delivered to the task when it resumes instead of being lost.
 */
export class TaskTokenRegistry implements TaskTokenBroker {
  private readonly pending = new Map<string, PendingToken>();
  private readonly finished = new Map<string, FinishedToken>();
  /** Tokens restored from the store, keyed by execution and state, waiting for their task. */
  private readonly restored = new Map<string, RestoredToken>();

  constructor(
    private readonly clock: EngineClock,
    private readonly persist: (record: EngineRecord) => Promise<void>,
  ) {}

  /**
   * A new token, or, when recovery replays the very attempt that issued one before the restart
   * (same execution, same Entered event, same retry count), that same token: the request that
   * carried it, sent again or not, still names the token the approver holds.
   */
  async issue(request: {
    executionArn: string;
    stateName: string;
    enteredEventId: number;
    attempt: number;
    heartbeatSeconds?: number;
  }): Promise<IssuedTaskToken> {
    const key = keyOf(request);
    const reused = this.restored.get(key);
    this.restored.delete(key);
    const token = reused?.token ?? TOKEN_PREFIX + randomBytes(32).toString('base64url');
    let resolve!: (v: unknown) => void;
    let reject!: (e: StatesError) => void;
    const outcome = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    outcome.catch(() => {});
    const entry: PendingToken = {
      token,
      executionArn: request.executionArn,
      stateName: request.stateName,
      heartbeatSeconds: request.heartbeatSeconds,
      enteredEventId: request.enteredEventId,
      attempt: request.attempt,
      resolve,
      reject,
    };
    if (reused?.outcome) {
      // Sent while the task was not running (around a crash): hand it over at once.
      this.finished.set(token, { token, record: entry, outcome: reused.outcome });
      deliver(entry, reused.outcome);
      return { token, outcome, cancel: () => undefined };
    }
    this.pending.set(token, entry);
    if (!reused) {
      await this.persist(engineRecord.token(tokenRecord(entry)));
    }
    this.armHeartbeat(entry);
    return { token, outcome, cancel: () => this.finish(token) };
  }

  /** Recovery: a token issued before the restart, with its outcome if one was already sent. */
  restore(record: TokenRecord, outcome?: TokenOutcome): void {
    this.restored.set(keyOf(record), { ...record, outcome });
    if (outcome) this.finished.set(record.token, { token: record.token, record, outcome });
  }

  markFinished(token: string, record?: TokenRecord): void {
    this.finished.set(token, { token, record });
    for (const [key, rec] of this.restored) if (rec.token === token) this.restored.delete(key);
  }

  /**
   * What a compacted log must keep: tokens that can still settle (issued, or restored and waiting
   * for their task), and every settled one so reusing it still gets TaskTimedOut.
   */
  snapshot(): { readonly live: TokenRecord[]; readonly finished: FinishedToken[] } {
    const live: TokenRecord[] = [...this.pending.values()].map(tokenRecord);
    for (const r of this.restored.values()) if (!r.outcome) live.push(tokenRecord(r));
    return { live, finished: [...this.finished.values()] };
  }

  /** Forgets the settled tokens of executions dropped from the store (closed-history retention). */
  forgetExecutions(executionArns: ReadonlySet<string>): void {
    for (const [token, f] of this.finished) {
      if (f.record && executionArns.has(f.record.executionArn)) this.finished.delete(token);
    }
  }

  succeed(token: string, output: unknown): Promise<void> {
    return this.settle(token, { ok: true, output });
  }

  fail(token: string, error: string | undefined, cause: string | undefined): Promise<void> {
    return this.settle(token, { ok: false, error, cause });
  }

  heartbeat(token: string): void {
    // A token whose task has not resumed yet has nothing to time out; the beat is accepted.
    if (this.waitingRestored(token)) return;
    const entry = this.lookup(token);
    this.armHeartbeat(entry);
  }

  private async settle(token: string, outcome: TokenOutcome): Promise<void> {
    const restored = this.waitingRestored(token);
    if (restored) {
      restored.outcome = outcome;
      this.finished.set(token, { token, record: restored, outcome });
      await this.persist(engineRecord.tokenDone(token, { x: restored.executionArn, outcome }));
      return;
    }
    const entry = this.lookup(token);
    this.finish(token, outcome);
    await this.persist(engineRecord.tokenDone(token, { x: entry.executionArn, outcome }));
    deliver(entry, outcome);
  }

  private waitingRestored(token: string): RestoredToken | undefined {
    if (!TOKEN_SHAPE.test(token) || this.finished.has(token)) return undefined;
    for (const r of this.restored.values()) if (r.token === token) return r;
    return undefined;
  }

  private armHeartbeat(entry: PendingToken): void {
    entry.heartbeat?.cancel();
    if (entry.heartbeatSeconds === undefined) return;
    entry.heartbeat = this.clock.setTimer(this.clock.now() + entry.heartbeatSeconds * 1000, () => {
      if (!this.pending.has(entry.token)) return;
      this.finish(entry.token);
      entry.reject(new StatesError(StatesErrorName.HeartbeatTimeout, undefined));
    });
  }

  private finish(token: string, outcome?: TokenOutcome): void {
    const entry = this.pending.get(token);
    entry?.heartbeat?.cancel();
    this.pending.delete(token);
    this.finished.set(token, { token, record: entry ? tokenRecord(entry) : undefined, outcome });
  }

  private lookup(token: string): PendingToken {
    if (!TOKEN_SHAPE.test(token)) throw new AwsApiError('InvalidToken', "Invalid Token: 'Invalid token'");
    const entry = this.pending.get(token);
    if (entry) return entry;
    if (this.finished.has(token)) {
      throw new AwsApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    throw new AwsApiError('TaskDoesNotExist', 'Task does not exist anymore');
  }
}

/** One attempt of one state entry: a Map's iterations share state names, never Entered events. */
function keyOf(r: Omit<TokenRecord, 'token'>): string {
  return `${r.executionArn}#${r.enteredEventId ?? r.stateName}#${r.attempt ?? 0}`;
}

function tokenRecord(r: TokenRecord): TokenRecord {
  return {
    token: r.token,
    executionArn: r.executionArn,
    stateName: r.stateName,
    heartbeatSeconds: r.heartbeatSeconds,
    enteredEventId: r.enteredEventId,
    ...(r.attempt ? { attempt: r.attempt } : {}),
  };
}

function deliver(entry: PendingToken, outcome: TokenOutcome): void {
  if (outcome.ok) entry.resolve(outcome.output);
  else entry.reject(new StatesError(outcome.error ?? '', outcome.cause));
}
