import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One Powertools logger per task. Callers pass payloads through the one redaction policy
 * (redaction.ts) first, because a log line is something a person can read.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName, logLevel: (process.env.TOLLGATE_LOG_LEVEL as 'INFO') ?? 'INFO' });
}
