/**
 * Task tokens and secrets never leave the console's server: every payload it serves goes through
 * the one redaction policy the task logs use.
 */
export { redact } from '../../functions/shared/redaction.js';

/** Parses JSON text, or returns undefined; payloads are never trusted to be JSON. */
export function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
