import { toError } from '../../functions/shared/errors.js';
import type { EngineClock, TimerHandle } from '../engine/clock.js';
import { DeliveryRejectedError } from './errors.js';
import type { EventArchive, OwedDelivery } from './event-archive.js';
import type { EventEnvelope } from './event-envelope.js';
import type { EventOutbox, OutboxRecord } from './event-outbox.js';

export interface RetryPolicy {
  /** Delay after the first failed attempt. @default 1000 */
  readonly baseDelayMs: number;
  /** Delays double per attempt up to this. @default 60000 */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 1000, maxDelayMs: 60_000 };

export interface DeliveryTarget<R> {
  /** The rule by name, or undefined when the rule that matched is no longer configured. */
  rule(name: string): R | undefined;
  deliver(rule: R, event: EventEnvelope): Promise<void>;
}

interface Task {
  readonly id: string;
  readonly rule: string;
  readonly seq: number;
  attempts: number;
  dueAt: number;
}

/**
 * Delivers owed (event, rule) pairs one at a time, in acceptance order, at least once: an outcome
 * is recorded only after the receiver returned, so a crash in between means a second delivery with
 * the same event id, which the receiver dedupes. Failures are retried with exponential backoff on
 * the injected clock; only DeliveryRejectedError (or a vanished rule) ends a delivery as failed.
 */
export class DeliveryWorker<R> {
  private readonly tasks: Task[] = [];
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private running: Promise<void> | undefined;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly clock: EngineClock,
    private readonly outbox: EventOutbox,
    private readonly archive: EventArchive,
    private readonly target: DeliveryTarget<R>,
    private readonly retry: RetryPolicy,
    private readonly report: (error: unknown) => void,
  ) {}

  schedule(owed: readonly OwedDelivery[]): void {
    const now = this.clock.now();
    for (const o of owed) {
      this.tasks.push({ id: o.id, rule: o.rule, seq: o.seq, attempts: o.attempts, dueAt: o.dueAt ?? now });
    }
    this.kick();
  }

  /** Resolves once nothing is running and nothing is due at the clock's current time. */
  whenIdle(): Promise<void> {
    if (!this.running && !this.hasDue()) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.kick();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private kick(): void {
    if (this.closed || this.running) return;
    if (this.hasDue()) {
      this.running = this.drain().finally(() => {
        this.running = undefined;
        this.kick();
      });
      return;
    }
    this.arm();
    this.releaseIdle();
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const task = this.nextDue();
      if (!task) return;
      await this.attempt(task);
    }
  }

  private async attempt(task: Task): Promise<void> {
    const event = this.archive.event(task.id);
    const rule = this.target.rule(task.rule);
    const attempt = task.attempts + 1;
    let record: OutboxRecord;
    if (!event || rule === undefined) {
      const error = event ? `rule ${task.rule} no longer exists` : `event ${task.id} is not in the outbox`;
      record = {
        t: 'failed',
        at: this.clock.now(),
        id: task.id,
        rule: task.rule,
        attempt,
        error,
        retryAt: null,
      };
    } else {
      try {
        await this.target.deliver(rule, event);
        record = { t: 'delivered', at: this.clock.now(), id: task.id, rule: task.rule, attempt };
      } catch (thrown) {
        const error = toError(thrown);
        const retryAt =
          error instanceof DeliveryRejectedError ? null : this.clock.now() + this.delay(attempt);
        const message = `${error.name}: ${error.message}`;
        record = {
          t: 'failed',
          at: this.clock.now(),
          id: task.id,
          rule: task.rule,
          attempt,
          error: message,
          retryAt,
        };
      }
    }
    try {
      await this.outbox.append([record]);
    } catch (error) {
      // The outcome is not durable: keep the task and try the whole delivery again later.
      this.report(error);
      task.attempts = attempt;
      task.dueAt = this.clock.now() + this.delay(attempt);
      this.tasks.push(task);
      return;
    }
    this.archive.apply(record);
    if (record.t === 'failed' && record.retryAt !== null) {
      task.attempts = attempt;
      task.dueAt = record.retryAt;
      this.tasks.push(task);
    }
  }

  private delay(attempt: number): number {
    return Math.min(this.retry.baseDelayMs * 2 ** (attempt - 1), this.retry.maxDelayMs);
  }

  private hasDue(): boolean {
    const now = this.clock.now();
    return this.tasks.some((t) => t.dueAt <= now);
  }

  /** Removes and returns the earliest-accepted due task. */
  private nextDue(): Task | undefined {
    const now = this.clock.now();
    let best = -1;
    for (let i = 0; i < this.tasks.length; i++) {
      const t = this.tasks[i];
      if (t.dueAt > now) continue;
      if (best < 0 || t.seq < this.tasks[best].seq) best = i;
    }
    return best < 0 ? undefined : this.tasks.splice(best, 1)[0];
  }

  private arm(): void {
    const next = this.tasks.reduce((min, t) => Math.min(min, t.dueAt), Number.POSITIVE_INFINITY);
    if (next === this.timerAt && this.timer) return;
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = next;
    if (next === Number.POSITIVE_INFINITY) return;
    this.timer = this.clock.setTimer(next, () => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.kick();
    });
  }

  private releaseIdle(): void {
    if (this.running || this.hasDue()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
