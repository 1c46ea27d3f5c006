/**
 * A Step Functions history event as the model reads it: from the local engine live (epoch ms),
 * from the SDK (a Date) or from the wire after the caller converted its epoch seconds to ms. The
 * model reads the history alone, so a local run and an AWS run read the same.
 */
export interface RunEvent {
  readonly id?: number;
  readonly previousEventId?: number;
  readonly type?: string;
  readonly timestamp?: number | Date;
}

// biome-ignore lint/suspicious/noExplicitAny: event details are untyped JSON; each field is checked where read
export type EventDetails = Record<string, any>;

/** The event's `<type>EventDetails` object, whatever its type. */
export function detailsOf(event: RunEvent): EventDetails {
  for (const [key, value] of Object.entries(event as Record<string, unknown>)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object') return value as EventDetails;
  }
  return {};
}

export function eventTime(timestamp: number | Date | undefined): number | undefined {
  if (timestamp instanceof Date) return timestamp.getTime();
  return typeof timestamp === 'number' && Number.isFinite(timestamp) ? timestamp : undefined;
}

/** Parses JSON text, or returns undefined; payloads are never trusted to be JSON. */
export function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
