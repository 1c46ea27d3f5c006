import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { database } from '../examples/orders-service/database.config.js';
import { seedProd } from '../examples/orders-service/seed/seed-prod.mjs';
import { maskData } from '../functions/mask-data/mask-data.js';
import { maskExpression, USES_SALT } from '../functions/mask-data/mask-expressions.js';
import { migrateDatabase } from '../functions/migrate-database/migrate-database.js';
import { loadMigrationsFromDir } from '../functions/migrate-database/migration-files.js';
import { scanFiles } from '../functions/shared/adapters/local/forensic-scan.js';
import {
  LocalSnapshotProvider,
  SINGLE_USE_LABEL,
} from '../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../functions/shared/adapters/local/pglite-volumes.js';
import { systemClock } from '../functions/shared/clock.js';
import { quoteIdent } from '../functions/shared/database/identifiers.js';
import type { OperationRef, SnapshotRef, VolumeSetRef } from '../functions/shared/ports/snapshot-provider.js';
import type { BenchRow } from './bench-row.js';

const example = path.join(import.meta.dirname, '../examples/orders-service');
const labels = {
  pipeline: 'bench',
  run: 'arn:aws:states:local:0:execution:bench:m',
  ttl: '2099-01-01T00:00:00.000Z',
};

/**
 * What leaving nothing behind costs, on the seeded orders dataset in real PGlite volumes:
 * - before: clone over test (served at once) + the masking UPDATE alone, as the pipeline did;
 * - now: staged clone + masking UPDATE + rewrite of the masked tables and statistics + WAL moved
 *   past every old segment and a clean shutdown + a byte search of every file + publish;
 * - peer: `cp -r` of the prod data directory on the same disk.
 * Each path also reports how many sampled original values its result still holds at rest.
 */
export async function benchMaskingAtRest(size: { customers: number; orders: number }): Promise<BenchRow[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-bench-at-rest-'));
  const host = new VolumeHost({ dataDir });
  const provider = new LocalSnapshotProvider({ dataDir, host, protectedVolumes: ['prod'] });
  try {
    const prodUrl = await host.open('prod', 0);
    await host.open('test', 0);
    await migrateDatabase(
      { connectionString: prodUrl, migrations: loadMigrationsFromDir(path.join(example, 'migrations')) },
      { clock: systemClock },
    );
    const client = new pg.Client({ connectionString: prodUrl });
    await client.connect();
    await seedProd(client, { ...size, seed: 42 });
    const sample = (
      await client.query<{ v: string }>(
        `SELECT v FROM (SELECT email AS v FROM customers UNION SELECT name FROM customers
                        UNION SELECT phone FROM customers UNION SELECT note FROM orders) s
          WHERE v IS NOT NULL ORDER BY random() LIMIT 2000`,
      )
    ).rows.map((r) => r.v);
    await client.end();
    await host.withQuiesced(['prod'], () => undefined);
    const prodBytes = dirBytes(host.volumeDir('prod'));

    spawnSync('sync');
    const cpMs = timed(() => {
      const copy = spawnSync('cp', ['-r', host.volumeDir('prod'), path.join(dataDir, 'cp-copy')]);
      if (copy.status !== 0) throw new Error(`cp -r failed: ${copy.stderr}`);
    });

    const until = async (op: OperationRef) => {
      for (;;) {
        const status = await provider.poll(op);
        if (status.state === 'FAILED') throw new Error(status.reason);
        if (status.state === 'SUCCEEDED') return status.ref!;
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const snapshot = async (key: string) =>
      (await until(
        await provider.startSnapshot({
          idempotencyKey: key,
          source: ['prod'],
          labels: { ...labels, [SINGLE_USE_LABEL]: 'true' },
        }),
      )) as SnapshotRef;
    const cloneOf = async (key: string, snap: SnapshotRef, stage: boolean) =>
      (await until(
        await provider.startClone({
          idempotencyKey: key,
          snapshot: snap,
          targets: [{ source: 'prod', target: 'test' }],
          mode: 'overwrite',
          labels,
          stage,
        }),
      )) as VolumeSetRef;
    const url = async (ref: VolumeSetRef) => {
      const info = await provider.connection(ref);
      return info.kind === 'url' ? info.connectionString : '';
    };
    const mask = async (connectionString: string, runKey: string) =>
      maskData(
        { connectionString, rules: database.masking, salt: 'bench-salt-0123456789', runKey },
        { clock: systemClock },
      );

    // Before: the clone is live at once, then masked by the UPDATE alone, as the pipeline did.
    const beforeSnap = await snapshot('bench/before/S');
    spawnSync('sync');
    let started = performance.now();
    await cloneOf('bench/before/C', beforeSnap, false);
    await updateOnly(host.connectionString('test'));
    const beforeMs = performance.now() - started;
    await host.close('test'); // a clean shutdown, as a served volume gets
    const leftBefore = await scanFiles(host.volumeDir('test'), sample);
    await host.open('test', 0);

    // Now: staged, masked and rewritten, brought to rest, searched, then published.
    const nowSnap = await snapshot('bench/now/S');
    spawnSync('sync');
    started = performance.now();
    const staged = await cloneOf('bench/now/C', nowSnap, true);
    const cloneMs = performance.now() - started;
    const nowMask = await mask(await url(staged), 'bench/now/M');
    const t1 = performance.now();
    const scan = await provider.scanAtRest(staged, sample);
    const t2 = performance.now();
    await until(await provider.startPublish(staged));
    const nowMs = performance.now() - started;
    const found = scan.kind === 'scanned' ? scan.found : Number.NaN;
    const round = (n: number) => Math.round(n);
    return [
      {
        name: `prod data directory (${size.customers} customers, ${size.orders} orders)`,
        value: round(prodBytes / 1024 / 1024),
        unit: 'MiB',
      },
      { name: 'cp -r of prod', value: round(cpMs), unit: 'ms' },
      {
        name: 'before: clone served at once + masking UPDATE',
        value: round(beforeMs),
        unit: 'ms',
        peer: 'cp -r (ratio, ours ÷ peer)',
        ratio: Number((beforeMs / cpMs).toFixed(2)),
      },
      {
        name: 'now: staged clone + UPDATE + rewrite + rest + byte scan + publish',
        value: round(nowMs),
        unit: 'ms',
        peer: 'before (ratio, now ÷ before)',
        ratio: Number((nowMs / beforeMs).toFixed(2)),
      },
      { name: 'now, of which staged clone', value: round(cloneMs), unit: 'ms' },
      { name: 'now, of which masking UPDATE', value: round(nowMask.durationMs), unit: 'ms' },
      {
        name: 'now, of which rewrite (VACUUM FULL + statistics)',
        value: round(nowMask.rewrite.durationMs),
        unit: 'ms',
      },
      {
        name: `now, of which WAL past old segments + clean shutdown + scan of ${scan.kind === 'scanned' ? scan.files : 0} files`,
        value: round(t2 - t1),
        unit: 'ms',
      },
      {
        name: 'now, of which the rest: private open of the staged clone, publish (swap + serve)',
        value: round(nowMs - cloneMs - nowMask.durationMs - nowMask.rewrite.durationMs - (t2 - t1)),
        unit: 'ms',
      },
      {
        name: `sampled original values left at rest (of ${sample.length})`,
        value: `${found} now, ${leftBefore.kind === 'scanned' ? leftBefore.found : '?'} before`,
        unit: 'values',
        target: '0 now',
        met: found === 0,
      },
    ];
  } finally {
    await provider.close();
    await host.closeAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The masking as it was: one UPDATE per table with the same expressions, nothing rewritten. */
async function updateOnly(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('BEGIN');
    const tables = [...new Set(database.masking.map((r) => r.table))];
    for (const table of tables) {
      const rules = database.masking.filter((r) => r.table === table);
      const set = rules.map(
        (r) => `${quoteIdent(r.column)} = ${maskExpression(r.rule, quoteIdent(r.column))}`,
      );
      const salted = rules.some((r) => USES_SALT.has(r.rule));
      await client.query(
        `UPDATE ${quoteIdent(table)} SET ${set.join(', ')}`,
        salted ? ['bench-salt-0123456789'] : [],
      );
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

function timed(fn: () => void): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}
