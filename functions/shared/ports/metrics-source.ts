/** Request counters used by canary checks (CloudWatch on AWS, the local proxy's counters locally). */
export interface MetricsWindow {
  readonly requests: number;
  readonly errors: number;
  readonly p95LatencyMs?: number;
}

export interface MetricsSource {
  read(environment: string, since: Date, until: Date): Promise<MetricsWindow>;
}
