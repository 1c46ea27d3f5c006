/** The event as EventBridge hands it to targets (and as the rules see it). */
export interface EventEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO 8601 to the second, as EventBridge writes it: `2026-01-01T00:00:00Z`. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

/** EventBridge drops the milliseconds from `time`. */
export function envelopeTime(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}
