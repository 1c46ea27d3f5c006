import { ConfigError } from '../errors.js';

/** Postgres silently truncates longer identifiers, which could make a rule hit a different table. */
const MAX_IDENTIFIER_BYTES = 63;

/**
 * Quotes one identifier from config (`"name"`, embedded quotes doubled). Config values are never
 * spliced into SQL any other way, so a table name cannot smuggle in a statement.
 */
export function quoteIdent(name: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new ConfigError('identifier must be a non-empty string');
  }
  if (name.includes('\0')) throw new ConfigError('identifier must not contain a NUL character');
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) {
    throw new ConfigError(`identifier "${name.slice(0, 20)}…" is longer than ${MAX_IDENTIFIER_BYTES} bytes`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Quotes a table name, optionally schema-qualified as `schema.table`. A single dot is read as the
 * schema separator; a table whose own name contains a dot is not supported.
 */
export function quoteTable(name: string): string {
  const parts = typeof name === 'string' ? name.split('.') : [];
  if (parts.length === 0 || parts.length > 2 || parts.some((p) => p.length === 0)) {
    throw new ConfigError(`table "${String(name)}" must be "table" or "schema.table"`);
  }
  return parts.map(quoteIdent).join('.');
}
