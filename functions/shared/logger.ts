import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One Powertools logger per task. Task tokens and secrets are redacted before anything is written,
 * because a log line is something a person can read.
 */
const SECRET_KEYS = /token|secret|password|authorization|api[-_]?key/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEYS.test(k) && typeof v !== 'object' ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName, logLevel: (process.env.TOLLGATE_LOG_LEVEL as 'INFO') ?? 'INFO' });
}
