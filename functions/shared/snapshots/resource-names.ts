import { createHash } from 'node:crypto';

/**
 * Resource names come from the idempotency key, so a re-invoked task addresses the resource it
 * already created instead of making a second one. 12 hex chars (48 bits) keep names short enough for
 * RDS (63 chars) and Purity suffixes while collisions stay negligible for one pipeline's history.
 */
export function keyHash(idempotencyKey: string, length = 12): string {
  return createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, length);
}

export function deriveName(prefix: string, idempotencyKey: string): string {
  return `${prefix}-${keyHash(idempotencyKey)}`;
}
