/**
 * The one redaction policy: what a task's log line, the console and anything else a person reads
 * must never show. Task tokens, secrets, salts, credentials and keys are replaced by key name; JSON
 * held in a string (history payloads are JSON text) is redacted inside; a password in a URL is
 * masked wherever it appears.
 */
export const REDACTED = '[redacted]';

const SENSITIVE_KEY =
  /token|secret|passw|salt|credential|api[-_]?key|authori[sz]ation|private[-_]?key|signature/i;
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s"]*):([^@/\s"]+)@/gi;
const MAX_DEPTH = 64;

export function redact<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) return REDACTED;
  if (typeof value === 'string') return redactString(value, depth);
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  if (value && typeof value === 'object') {
    // A value with its own JSON form (a ConnectionSecret) is redacted as it would be written.
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
      return walk((value as { toJSON(): unknown }).toJSON(), depth + 1);
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
