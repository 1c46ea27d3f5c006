import type { TollgateConfigInput } from '../../functions/shared/config/schema.js';

/**
 * The orders-service database block, for tollgate.config.ts: `database` plus, on the environments
 * that should be refreshed from prod, `database: { refresh: true, port: … }`.
 *
 * Every column that can identify a person is masked. E-mail masking hashes lower(email), so the
 * customers who share an address in different case still collide after masking and the
 * UNIQUE(lower(email)) migration fails in test exactly as it would in prod.
 */
export const database = {
  engine: 'postgres',
  provider: { type: 'local' },
  source: 'prod',
  migrations: 'migrations',
  masking: [
    { table: 'customers', column: 'email', rule: 'email' },
    { table: 'customers', column: 'name', rule: 'name' },
    { table: 'customers', column: 'phone', rule: 'phone' },
    { table: 'orders', column: 'note', rule: 'text' },
  ],
  checks: [
    { type: 'notNull', table: 'customers', column: 'email' },
    {
      type: 'foreignKey',
      table: 'orders',
      column: 'customer_id',
      references: { table: 'customers', column: 'id' },
    },
    // Customers may be merged by a migration (0003 does); orders must never be lost.
    { type: 'rowCountMatchesSource', table: 'orders' },
    {
      type: 'sql',
      name: 'order totals are positive',
      sql: 'SELECT count(*) FROM orders WHERE total_cents <= 0',
    },
  ],
} as const satisfies NonNullable<TollgateConfigInput['database']>;
