import { randomBytes } from 'node:crypto';
import { AwsApiError } from '../api/aws-service.js';
import { StatesError, StatesErrorName } from '../asl/errors/states-error.js';
import type { IssuedTaskToken, TaskTokenBroker } from '../asl/task/task-token-broker.js';
import type { EngineClock, TimerHandle } from './clock.js';

interface PendingToken {
  readonly token: string;
  readonly executionArn: string;
  readonly stateName: string;
  readonly heartbeatSeconds?: number;
  resolve(output: unknown): void;
  reject(error: StatesError): void;
  heartbeat?: TimerHandle;
}

/** What is persisted about a token so it still works after a restart. */
export interface TokenRecord {
  readonly token: string;
  readonly executionArn: string;
  readonly stateName: string;
  readonly heartbeatSeconds?: number;
}

const TOKEN_PREFIX = 'tgt1';
// Tokens are opaque to callers; a recognisable prefix lets us tell a malformed token
// (InvalidToken) from a well-formed one we never issued (TaskDoesNotExist), as AWS does.
const TOKEN_SHAPE = /^tgt1[A-Za-z0-9_-]{43}$/;

/**
 * Task tokens for `.waitForTaskToken`. A token settles once; a second SendTask* for it, or one
 * after the task timed out, gets AWS's TaskTimedOut.
 */
export class TaskTokenRegistry implements TaskTokenBroker {
  private readonly pending = new Map<string, PendingToken>();
  private readonly finished = new Set<string>();
  /** Tokens restored from the store, waiting for their task to be resumed. */
  private readonly restored = new Map<string, TokenRecord>();

  constructor(
    private readonly clock: EngineClock,
    private readonly persist: (record: { t: string } & Record<string, unknown>) => Promise<void>,
  ) {}

  async issue(request: {
    executionArn: string;
    stateName: string;
    enteredEventId: number;
    heartbeatSeconds?: number;
  }): Promise<IssuedTaskToken> {
    const key = `${request.executionArn}#${request.stateName}`;
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
      resolve,
      reject,
    };
    this.pending.set(token, entry);
    if (!reused) {
      await this.persist({
        t: 'token',
        token,
        executionArn: request.executionArn,
        stateName: request.stateName,
        heartbeatSeconds: request.heartbeatSeconds,
      });
    }
    this.armHeartbeat(entry);
    return { token, outcome, cancel: () => this.finish(token) };
  }

  restore(record: TokenRecord): void {
    this.restored.set(`${record.executionArn}#${record.stateName}`, record);
  }

  markFinished(token: string): void {
    this.finished.add(token);
    for (const [key, rec] of this.restored) if (rec.token === token) this.restored.delete(key);
  }

  async succeed(token: string, output: unknown): Promise<void> {
    const entry = this.take(token);
    await this.persist({ t: 'token-done', token });
    entry.resolve(output);
  }

  async fail(token: string, error: string | undefined, cause: string | undefined): Promise<void> {
    const entry = this.take(token);
    await this.persist({ t: 'token-done', token });
    entry.reject(new StatesError(error ?? '', cause));
  }

  heartbeat(token: string): void {
    const entry = this.lookup(token);
    this.armHeartbeat(entry);
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

  private finish(token: string): void {
    const entry = this.pending.get(token);
    entry?.heartbeat?.cancel();
    this.pending.delete(token);
    this.finished.add(token);
  }

  private lookup(token: string): PendingToken {
    if (!TOKEN_SHAPE.test(token)) throw new AwsApiError('InvalidToken', "Invalid Token: 'Invalid token'");
    const entry = this.pending.get(token);
    if (entry) return entry;
    if (this.finished.has(token) || [...this.restored.values()].some((r) => r.token === token)) {
      throw new AwsApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    throw new AwsApiError('TaskDoesNotExist', 'Task does not exist anymore');
  }

  private take(token: string): PendingToken {
    const entry = this.lookup(token);
    this.finish(token);
    return entry;
  }
}
