/**
 * One series of a Prometheus metric family, as the app exposed it on its metrics path. Values are
 * numbers (the text format's `NaN`, `+Inf` and `-Inf` included); `name` is the family's name.
 */
export type PrometheusSample =
  | {
      readonly type: 'counter' | 'gauge' | 'untyped';
      readonly name: string;
      readonly labels: Readonly<Record<string, string>>;
      readonly value: number;
    }
  | {
      readonly type: 'histogram';
      readonly name: string;
      readonly labels: Readonly<Record<string, string>>;
      /** Cumulative counts by upper bound `le`, ascending; the last bound is +Inf. */
      readonly buckets: ReadonlyArray<{ readonly le: number; readonly count: number }>;
      readonly count: number;
      readonly sum: number;
    }
  | {
      readonly type: 'summary';
      readonly name: string;
      readonly labels: Readonly<Record<string, string>>;
      readonly quantiles: ReadonlyArray<{ readonly quantile: number; readonly value: number }>;
      readonly count: number;
      readonly sum: number;
    };

/** Reads the metrics a release's own process exposes (Prometheus text format), for canary analysis. */
export interface AppMetrics {
  /** Scrapes `path` (e.g. `/metrics`) of `release`'s process in `environment`. */
  scrape(environment: string, release: string, path: string): Promise<PrometheusSample[]>;
}
