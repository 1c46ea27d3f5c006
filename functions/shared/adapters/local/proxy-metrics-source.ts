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
 * Request outcomes seen by one environment's proxy. Bounded so a long-lived local runtime does not
 * grow without limit; canary windows are minutes, far inside the bound. A ring of typed arrays:
 * recording is a few stores, where an array of objects trimmed with splice moved every sample once
 * full (50,000 of them per request).
 */
export class RequestLog {
  private readonly at: Float64Array;
  private readonly status: Uint16Array;
  private readonly latencyMs: Float64Array;
  private readonly release: (string | undefined)[];
  /** Where the next sample goes; `size` samples end just before it. */
  private next = 0;
  private size = 0;

  constructor(private readonly capacity = 50_000) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new TollgateError(`RequestLog capacity must be a positive integer, got ${capacity}`);
    }
    this.at = new Float64Array(capacity);
    this.status = new Uint16Array(capacity);
    this.latencyMs = new Float64Array(capacity);
    this.release = new Array<string | undefined>(capacity).fill(undefined);
  }

  record(sample: RequestSample): void {
    const i = this.next;
    this.at[i] = sample.at;
    this.status[i] = sample.status;
    this.latencyMs[i] = sample.latencyMs;
    this.release[i] = sample.release;
    this.next = i + 1 === this.capacity ? 0 : i + 1;
    if (this.size < this.capacity) this.size += 1;
  }

  /**
   * Requests in [since, until), of one release when `release` is given. A 5xx, including the
   * proxy's own 502 for a dead app, is an error.
   */
  window(since: Date, until: Date, release?: string): MetricsWindow {
    const from = since.getTime();
    const to = until.getTime();
    const latencies: number[] = [];
    let errors = 0;
    const first = (this.next - this.size + this.capacity) % this.capacity;
    for (let n = 0, i = first; n < this.size; n += 1, i = i + 1 === this.capacity ? 0 : i + 1) {
      const at = this.at[i]!;
      if (at < from || at >= to || (release !== undefined && this.release[i] !== release)) continue;
      latencies.push(this.latencyMs[i]!);
      if (this.status[i]! >= 500) errors += 1;
    }
    if (latencies.length === 0) return { requests: 0, errors: 0 };
    latencies.sort((a, b) => a - b);
    return {
      requests: latencies.length,
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
