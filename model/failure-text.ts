import { parseJson } from './run-event.js';

/**
 * A failure as a person reads it first: the error's name in words and its message in full, with
 * what is for machines taken off (the Lambda error's JSON wrapper, the pipeline's failure record,
 * the evidence JSON the functions append, stack frames). The raw record stays beside it, one click
 * away in the console and in `--json`.
 */
export interface ReadableFailure {
  /** "Deploy failed", "Timed out". */
  readonly title: string;
  /** The ASL error name, as Retry/Catch and the logs know it. */
  readonly error: string;
  /** Every line of the message; empty when the error says nothing more. */
  readonly message: string;
}

const WORDS: Readonly<Record<string, string>> = {
  'States.Timeout': 'Timed out',
  'States.TaskFailed': 'The task failed',
  'States.Runtime': 'The state machine could not go on (a runtime error)',
  'States.HeartbeatTimeout': 'The task stopped sending heartbeats',
  'States.Permissions': 'Not allowed (permissions)',
  'Lambda.Unknown': 'The function ended without an answer',
};

// A JavaScript stack frame ("    at fn (file.js:1:2)"), never useful at first sight.
const STACK_FRAME = /^\s+at\s.+$/;
const EVIDENCE_SUFFIX = ' | evidence: ';

export function readableFailure(error: string | null | undefined, cause: unknown): ReadableFailure {
  const name = typeof error === 'string' && error !== '' ? error : 'Error';
  return { title: errorInWords(name), error: name, message: messageOf(cause, 0) };
}

/** `Tollgate.SmokeTestFailed` → "Smoke test failed"; a name in the table above by its words. */
export function errorInWords(name: string): string {
  const known = WORDS[name];
  if (known) return known;
  const last = name.split('.').at(-1) ?? name;
  // Acronyms (HTTP, SQL) keep their capitals; other words are lower case after the first.
  const words = last
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(' ')
    .map((word) => (/^[A-Z][a-z0-9]*$/.test(word) ? word.toLowerCase() : word))
    .join(' ')
    .trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : name;
}

function messageOf(cause: unknown, depth: number): string {
  if (typeof cause !== 'string') return '';
  const parsed = depth < 4 ? parseJson(cause) : undefined;
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const record = parsed as Record<string, unknown>;
    // Lambda's wrapper: {errorType, errorMessage, trace}.
    if (typeof record.errorMessage === 'string') return messageOf(record.errorMessage, depth + 1);
    // The pipeline's failure record: {stage, environment, error, cause}.
    if (typeof record.stage === 'string' && 'cause' in record) return messageOf(record.cause, depth + 1);
  }
  const cut = cause.indexOf(EVIDENCE_SUFFIX);
  const text = cut >= 0 ? cause.slice(0, cut) : cause;
  return text
    .split('\n')
    .filter((line) => !STACK_FRAME.test(line))
    .join('\n')
    .trim();
}
