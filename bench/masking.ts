import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { database } from '../examples/orders-service/database.config.js';
import { seedProd } from '../examples/orders-service/seed/seed-prod.mjs';
import { checkData } from '../functions/check-data/check-data.js';
import { maskData } from '../functions/mask-data/mask-data.js';
import { migrateDatabase } from '../functions/migrate-database/migrate-database.js';
import { loadMigrationsFromDir } from '../functions/migrate-database/migration-files.js';
import { systemClock } from '../functions/shared/clock.js';
import { recordSourceRowCounts } from '../functions/shared/database/row-counts.js';
import { type BenchResult, type BenchRow, formatTable } from './bench-row.js';
import { benchMaskingAtRest } from './masking-at-rest.js';

const example = join(import.meta.dirname, '../examples/orders-service');

/**
 * Masking throughput, the cost of leaving no original value at rest (masking-at-rest.ts), and
 * check-suite duration on the seeded orders dataset (10k customers, 100k
 * orders) in a real PGlite over the wire protocol. The peer is an identity UPDATE of the same
 * columns in the same database: the cost of rewriting the rows at all, so the ratio is what the
 * masking expressions add on top.
 */
export async function benchMasking({
  quick = false,
}: {
  quick?: boolean;
} = {}): Promise<{ rows: BenchRow[] }> {
  const size = quick ? { customers: 2_000, orders: 20_000 } : { customers: 10_000, orders: 100_000 };
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-masking-'));
  const db = await PGlite.create(join(dir, 'data'));
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  try {
    const migrations = loadMigrationsFromDir(join(example, 'migrations'));
    await migrateDatabase({ connectionString: url, migrations }, { clock: systemClock });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    let started = performance.now();
    const seeded = await seedProd(client, { ...size, seed: 42 });
    const seedMs = performance.now() - started;
    const sourceRowCounts = await recordSourceRowCounts(url, ['customers', 'orders']);

    started = performance.now();
    await client.query('BEGIN');
    await client.query('UPDATE customers SET email = email, name = name, phone = phone');
    await client.query('UPDATE orders SET note = note');
    await client.query('COMMIT');
    const identityMs = performance.now() - started;
    await client.end();

    started = performance.now();
    const report = await maskData(
      { connectionString: url, rules: database.masking, salt: 'bench-salt-0123456789', runKey: 'bench#Mask' },
      { clock: systemClock },
    );
    // maskData also rewrites the masked tables (VACUUM FULL); the throughput row is the UPDATE alone.
    const maskMs = performance.now() - started - report.rewrite.durationMs;

    // The dataset's case-duplicate e-mails fail the unique check by design; the fixed migration
    // merges them, so the suite is timed on data where every check passes.
    const fixed = [...migrations, ...loadMigrationsFromDir(join(example, 'scenarios/fixed-migration'))];
    await migrateDatabase({ connectionString: url, migrations: fixed }, { clock: systemClock });
    started = performance.now();
    const checks = await checkData(
      { connectionString: url, checks: database.checks, sourceRowCounts },
      { clock: systemClock },
    );
    const checksMs = performance.now() - started;

    const rows = seeded.customers + seeded.orders;
    return {
      rows: [
        {
          name: `seed prod (${seeded.customers} customers, ${seeded.orders} orders)`,
          value: round(seedMs),
          unit: 'ms',
        },
        {
          name: `masking throughput (${report.totalRows} rows, ${database.masking.length} rules)`,
          value: Math.round((rows * 1000) / maskMs),
          unit: 'rows/s',
          peer: 'identity UPDATE of the same columns (time ratio, ours ÷ peer)',
          ratio: round(maskMs / identityMs, 2),
          target: 'lower is better',
        },
        {
          name: `rewrite of the masked tables and statistics (VACUUM FULL: ${report.rewrite.tables.join(', ')})`,
          value: round(report.rewrite.durationMs),
          unit: 'ms',
          peer: 'the masking UPDATE (time ratio, ours ÷ peer)',
          ratio: round(report.rewrite.durationMs / maskMs, 2),
        },
        { name: `data check suite (${checks.evidence.length} checks)`, value: round(checksMs), unit: 'ms' },
        ...(await benchMaskingAtRest(size)),
      ],
    };
  } finally {
    await server.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n: number, digits = 0) => Number(n.toFixed(digits));

/** The `masking` section of `npm run bench`. */
export const benchMaskingSection = (opts: { quick: boolean }): Promise<BenchResult> => benchMasking(opts);

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { rows } = await benchMasking({ quick: process.argv.includes('--quick') });
  console.log(formatTable('masking', rows));
}
