import * as z from 'zod';

/**
 * A database URL that logs as `{}`: the shared logger copies enumerable fields only, and a password
 * in a connection string must never reach a log line.
 */
export class ConnectionSecret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return redactConnectionString(this.#value);
  }
  toString(): string {
    return redactConnectionString(this.#value);
  }
}

export function redactConnectionString(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '[unparseable connection string]';
  }
}

export function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Handler input field for a Postgres connection string. */
export const connectionStringSchema = z
  .string()
  .refine(isPostgresUrl, { message: 'must be a postgres:// or postgresql:// URL with a host' })
  .transform((value) => new ConnectionSecret(value));
