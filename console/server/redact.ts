/**
 * Task tokens and secrets never leave the console's server. Payloads in the history are JSON text
 * written by states the console does not control (a waitForTaskToken task passes the token in its
 * parameters, mask-data takes a salt), so every string that parses as JSON is redacted inside, and
 * credentials in connection URLs are masked wherever they appear.
 */
export const REDACTED = '[redacted]';

const SENSITIVE_KEY =
  /token|secret|passw|salt|credential|api[-_]?key|authori[sz]ation|private[-_]?key|signature/i;
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s"]*):([^@/\s"]+)@/gi;

export function redact<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(value: unknown, depth: number): unknown {
  if (depth > 64) return REDACTED;
  if (typeof value === 'string') return redactString(value, depth);
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] =
        SENSITIVE_KEY.test(key) && (typeof v === 'string' || (v && typeof v === 'object'))
          ? REDACTED
          : walk(v, depth + 1);
    }
    return out;
  }
  return value;
}

function redactString(text: string, depth: number): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(walk(JSON.parse(text), depth + 1));
    } catch {
      // Not JSON after all: fall through to the URL masking.
    }
  }
  return text.replace(URL_CREDENTIALS, '$1:***@');
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
