/** One metric a CloudWatch metric-math expression refers to by `id`. */
export interface MetricMathInput {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Sum`, `Average`, `p99`, … as GetMetricData takes it. */
  readonly stat: string;
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/**
 * The AWS-only analysis sources (`cloudwatch` and `alarm` checks): what the account's monitoring
 * says about a canary, beyond Tollgate's own request metrics. The local runtime has no CloudWatch,
 * and its config validation refuses these checks before a run starts.
 */
export interface CloudChecks {
  /**
   * The expression's values over [since, until), oldest first: GetMetricData with one period
   * spanning the window, so one value, or two when the window straddles a period boundary.
   */
  expression(
    query: { readonly expression: string; readonly metrics: readonly MetricMathInput[] },
    since: Date,
    until: Date,
  ): Promise<readonly number[]>;
  /** A metric or composite alarm's state now. */
  alarm(name: string): Promise<{ readonly state: AlarmState; readonly reason: string }>;
}
