/** Request counters used by canary checks (CloudWatch on AWS, the local proxy's counters locally). */
export interface MetricsWindow {
  readonly requests: number;
  readonly errors: number;
  readonly p50LatencyMs?: number;
  readonly p95LatencyMs?: number;
  readonly p99LatencyMs?: number;
}

export interface MetricsSource {
  /**
   * Requests in [since, until). With `release`, only the requests that release served (a canary
   * and its baseline are read separately); without it, every request the environment received.
   */
  read(environment: string, since: Date, until: Date, release?: string): Promise<MetricsWindow>;
}
