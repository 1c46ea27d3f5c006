import type { TaskLogLine } from './ports/task-logs.js';

/**
 * A task's Powertools JSON line (as the local store keeps it, as CloudWatch holds it) read as a
 * log line: Powertools' own keys become the line's fields, everything else the task added stays in
 * `fields`. One reading for both adapters, so a stage's log looks the same locally and on AWS.
 */

/** Marks the line the local store writes where it cut a state's or a run's log. */
export const TRUNCATED = 'tollgate.truncated';

const OWN_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'executionArn',
  'stateName',
  'environment',
  'function_request_id',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  TRUNCATED,
]);

export function toLine(record: Readonly<Record<string, unknown>>): TaskLogLine {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (!OWN_KEYS.has(k)) fields[k] = v;
  return {
    at: typeof record.timestamp === 'string' ? record.timestamp : '',
    level: typeof record.level === 'string' ? record.level : 'INFO',
    message: typeof record.message === 'string' ? record.message : '',
    state: typeof record.stateName === 'string' ? record.stateName : '',
    environment: typeof record.environment === 'string' ? record.environment : null,
    service: typeof record.service === 'string' ? record.service : null,
    fields,
  };
}
