import { TollgateError } from '../../errors.js';
import type { MetricsSource, MetricsWindow } from '../../ports/metrics-source.js';

export interface RequestSample {
  /** Epoch ms, from the Clock port, when the response finished. */
  readonly at: number;
  readonly status: number;
  readonly latencyMs: number;
  /** The release version whose process answered; absent when no release did (the proxy's 503). */
  readonly release?: string;
}

/**
 * Request outcomes seen by one environment's proxy, oldest first. Bounded so a long-lived local
 * runtime does not grow without limit; canary windows are minutes, far inside the bound.
 */
export class RequestLog {
  private readonly samples: RequestSample[] = [];

  constructor(private readonly capacity = 50_000) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new TollgateError(`RequestLog capacity must be a positive integer, got ${capacity}`);
    }
  }

  record(sample: RequestSample): void {
    this.samples.push(sample);
    if (this.samples.length > this.capacity) this.samples.splice(0, this.samples.length - this.capacity);
  }

  /**
   * Requests in [since, until), of one release when `release` is given. A 5xx, including the
   * proxy's own 502 for a dead app, is an error.
   */
  window(since: Date, until: Date, release?: string): MetricsWindow {
    const from = since.getTime();
    const to = until.getTime();
    const inside = this.samples.filter(
      (s) => s.at >= from && s.at < to && (release === undefined || s.release === release),
    );
    const errors = inside.filter((s) => s.status >= 500).length;
    if (inside.length === 0) return { requests: 0, errors: 0 };
    const latencies = inside.map((s) => s.latencyMs).sort((a, b) => a - b);
    return {
      requests: inside.length,
      errors,
      p50LatencyMs: nearestRank(latencies, 0.5),
      p95LatencyMs: nearestRank(latencies, 0.95),
      p99LatencyMs: nearestRank(latencies, 0.99),
    };
  }
}

/** Nearest-rank percentile: the smallest value with at least `q` of the sorted samples at or below it. */
function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

/** Finds the request log of a configured environment; throws for an environment it does not know. */
export type RequestLogLookup = (environment: string) => RequestLog | Promise<RequestLog>;

/** The local MetricsSource: the counters of the per-environment proxy in front of the app. */
export class ProxyMetricsSource implements MetricsSource {
  constructor(private readonly lookup: RequestLogLookup) {}

  async read(environment: string, since: Date, until: Date, release?: string): Promise<MetricsWindow> {
    if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime())) {
      throw new TollgateError('metrics window needs valid since/until dates');
    }
    if (until.getTime() < since.getTime()) {
      throw new TollgateError(
        `metrics window ends (${until.toISOString()}) before it starts (${since.toISOString()})`,
      );
    }
    if (release !== undefined && release.trim() === '') {
      throw new TollgateError('metrics for a release need its version; got an empty string');
    }
    return (await this.lookup(environment)).window(since, until, release);
  }
}
