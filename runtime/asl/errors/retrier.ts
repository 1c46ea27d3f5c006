import { errorMatches } from './error-matching.js';

export interface RetrierDefinition {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/**
 * One `Retry` entry. Each retrier counts its own attempts across the state's evaluation, as the
 * spec requires; the delay is IntervalSeconds × BackoffRate^attempt, capped and optionally jittered.
 */
export class Retrier {
  private attempts = 0;

  constructor(
    readonly definition: RetrierDefinition,
    private readonly random: () => number = Math.random,
  ) {}

  matches(error: string): boolean {
    return errorMatches(this.definition.ErrorEquals, error);
  }

  /** Delay in ms before the next attempt, or undefined when attempts are exhausted. */
  nextDelayMs(): number | undefined {
    const max = this.definition.MaxAttempts ?? 3;
    if (this.attempts >= max) return undefined;
    const interval = this.definition.IntervalSeconds ?? 1;
    const rate = this.definition.BackoffRate ?? 2;
    let delay = interval * rate ** this.attempts;
    if (this.definition.MaxDelaySeconds !== undefined)
      delay = Math.min(delay, this.definition.MaxDelaySeconds);
    if (this.definition.JitterStrategy === 'FULL') delay = this.random() * delay;
    this.attempts += 1;
    return Math.round(delay * 1000);
  }

  get attemptsMade(): number {
    return this.attempts;
  }
}
