import { createHash } from 'node:crypto';

/**
 * Renders a value for evidence and error messages without revealing it: first character, `***`,
 * and a 4-hex hash tag so two different samples stay distinguishable. The tag is too short to
 * confirm a guess, and the first character alone identifies nobody.
 */
export function maskValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const text = typeof value === 'string' ? value : String(value);
  if (text.length === 0) return "''";
  const tag = createHash('sha256').update(text).digest('hex').slice(0, 4);
  return `${Array.from(text)[0]}***~${tag}`;
}

/** Postgres puts row values in these detail/message fragments; everything else is schema text. */
const KEY_VALUES =
  /(Key \(.*?\))=\((.*)\)( (?:is duplicated|already exists|is not present in table|conflicts with existing key).*)$/s;
const FAILING_ROW = /^(Failing row contains )\((.*)\)(\.?)$/s;
const QUOTED_INPUT = /^(invalid input (?:syntax|value)[^:]*: )"(.*)"$/s;

/** A Postgres error as one line with any data value masked. */
export interface DescribedPgError {
  readonly code: string;
  readonly message: string;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

export function describePgError(error: unknown): DescribedPgError {
  const e = (error ?? {}) as { code?: unknown; message?: unknown; detail?: unknown };
  // Only a SQLSTATE (five characters) is Postgres's code; Tollgate's own errors carry a kebab-case
  // `code` too, and re-wrapping one must not pass it off as the database's.
  const code = typeof e.code === 'string' && SQLSTATE.test(e.code) ? e.code : 'XX000';
  const message = maskFragment(oneLine(typeof e.message === 'string' ? e.message : String(error)));
  const detail = typeof e.detail === 'string' ? maskDetail(oneLine(e.detail)) : undefined;
  return { code, message: detail ? `${message}: ${detail}` : message };
}

function maskFragment(text: string): string {
  const quoted = QUOTED_INPUT.exec(text);
  return quoted ? `${quoted[1]}${maskValue(quoted[2])}` : text;
}

function maskDetail(detail: string): string | undefined {
  const key = KEY_VALUES.exec(detail);
  if (key) return `${key[1]}=(${maskValue(key[2])})${key[3]}`;
  const row = FAILING_ROW.exec(detail);
  if (row) return `${row[1]}(${maskValue(row[2])})${row[3]}`;
  // Any other detail may quote data we cannot recognise; leaving it out is the safe side.
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
