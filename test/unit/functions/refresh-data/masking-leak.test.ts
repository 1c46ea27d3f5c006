import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler as maskHandler } from '../../../../functions/mask-data/handler.js';
import { refreshData } from '../../../../functions/refresh-data/refresh-data.js';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import { LocalSnapshotProvider } from '../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../functions/shared/adapters/local/pglite-volumes.js';
import { systemClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type {
  OperationRef,
  SnapshotRef,
  VolumeSetRef,
} from '../../../../functions/shared/ports/snapshot-provider.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import { createHandler as verifyHandler } from '../../../../functions/verify-masking/handler.js';
import { tempDir } from '../../../support/pglite-server.js';

const CUSTOMERS = 5_000;
const emails = Array.from(
  { length: CUSTOMERS },
  (_, i) => `mira.okafor${i}.${(i * 7919) % 10_007}@realmail.org`,
);
const names = Array.from({ length: CUSTOMERS }, (_, i) => `Mira Okafor-${i}`);

async function query(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/**
 * How many of `values` occur, as raw bytes, anywhere in any file under `dir`: the test's own search,
 * independent of the scanner under test. Files without `common` (a part every value shares) cannot
 * hold one, which keeps this quick.
 */
function rawHits(dir: string, values: readonly string[], common: string): { found: number; files: number } {
  const needles = values.map((v) => Buffer.from(v));
  const found = new Set<number>();
  let files = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files += 1;
    const bytes = fs.readFileSync(path.join(entry.parentPath, entry.name));
    if (bytes.indexOf(common) < 0) continue;
    needles.forEach((n, i) => {
      if (!found.has(i) && bytes.indexOf(n) >= 0) found.add(i);
    });
  }
  return { found: found.size, files };
}

describe('a refresh of test from prod, masked', () => {
  const dir = tempDir('tollgate-leak-');
  const host = new VolumeHost({ dataDir: dir.path });
  let provider: LocalSnapshotProvider;
  let ports: TollgatePorts;
  let prodUrl = '';

  beforeAll(async () => {
    prodUrl = await host.open('prod', 0);
    const testUrl = await host.open('test', 0);
    await query(
      prodUrl,
      `CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, name text NOT NULL);
       CREATE INDEX customers_email ON customers (email)`,
    );
    await query(
      prodUrl,
      'INSERT INTO customers SELECT i, e, n FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(e, n, i)',
      [emails, names],
    );
    // Dead tuples of originals in prod itself, planner statistics on them, and a WAL segment full
    // of the inserts that a checkpoint recycles to a future name (where Postgres would reuse it).
    await query(prodUrl, 'UPDATE customers SET name = name WHERE id % 10 = 0');
    await query(prodUrl, 'ANALYZE customers');
    await query(prodUrl, 'SELECT pg_switch_wal()');
    await query(prodUrl, 'CHECKPOINT');
    await query(
      testUrl,
      'CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, name text NOT NULL)',
    );
    await query(testUrl, "INSERT INTO customers VALUES (1, 'user_0@example.invalid', 'Avery Ashdown')");
    provider = new LocalSnapshotProvider({
      dataDir: dir.path,
      host,
      ports: { test: host.portOf('test')! },
      protectedVolumes: ['prod'],
    });
    const config = parseConfig({
      name: 'shop',
      source: { repository: 'shop' },
      build: { command: 'true', artifact: 'out.tgz' },
      database: {
        engine: 'postgres',
        provider: { type: 'local' },
        source: 'prod',
        masking: [
          { table: 'customers', column: 'email', rule: 'email' },
          { table: 'customers', column: 'name', rule: 'name' },
          // The release's own migration creates this table: nothing to mask in the cloned data.
          { table: 'loyalty_cards', column: 'holder', rule: 'name' },
        ],
      },
      environments: [
        {
          name: 'test',
          deploy: { type: 'process', command: 'true', port: 4791 },
          database: { refresh: true, port: host.portOf('test')! },
        },
        {
          name: 'prod',
          deploy: { type: 'process', command: 'true', port: 4793 },
          database: { port: host.portOf('prod')! },
        },
      ],
    });
    ports = {
      config,
      snapshots: provider,
      ledger: new DirLedger(path.join(dir.path, 'ledger')),
      clock: systemClock,
    } as unknown as TollgatePorts;
  }, 60_000);

  afterAll(async () => {
    await provider.close();
    await host.closeAll();
    dir.remove();
  });

  const task = {
    executionArn: 'arn:aws:states:local:0:execution:p:leak',
    pipeline: 'shop',
    environment: 'test',
  };

  async function storageStep(
    action: 'snapshot-source' | 'clone' | 'publish',
    refs: { snapshot?: SnapshotRef; volumes?: VolumeSetRef },
  ) {
    const started = await refreshData({ ...task, stateName: 'StartStorageStep', action, ...refs }, ports);
    const operation = started.operation as OperationRef;
    for (let i = 0; i < 600; i += 1) {
      const status = await refreshData(
        { ...task, stateName: 'PollStorage', action: 'poll', operation },
        ports,
      );
      if (status.state === 'SUCCEEDED') return status.ref;
      if (status.state === 'FAILED') throw new Error(String(status.reason));
      await new Promise((r) => setTimeout(r, 50)); // real file copies in the background
    }
    throw new Error(`${action} still running`);
  }

  it('leaves none of 5,000 original e-mails in any file of test, and serves nothing before verification', async () => {
    // Arrange
    const snapshot = (await storageStep('snapshot-source', {})) as SnapshotRef;
    const clone = (await storageStep('clone', { snapshot })) as VolumeSetRef;
    const served = (sql: string) => query(host.connectionString('test'), sql);
    const asPorts = async () => ports;
    // Act
    const masked = await maskHandler(asPorts)({ ...task, stateName: 'MaskData', volumes: clone });
    const servedWhileMasking = await served('SELECT email FROM customers');
    const verified = await verifyHandler(asPorts)({
      ...task,
      stateName: 'VerifyMasking',
      volumes: clone,
      sampleSize: CUSTOMERS,
    });
    await storageStep('publish', { volumes: clone });
    // Assert
    expect(servedWhileMasking.rows).toEqual([{ email: 'user_0@example.invalid' }]);
    expect((await served('SELECT count(*)::int AS n FROM customers')).rows).toEqual([{ n: CUSTOMERS }]);
    const testDir = host.volumeDir('test');
    expect(rawHits(testDir, emails, '@realmail.org').found).toBe(0);
    expect(rawHits(testDir, names, 'Mira Okafor-').found).toBe(0);
    expect(rawHits(host.volumeDir('prod'), emails, '@realmail.org').found).toBe(CUSTOMERS); // the scan can find them
    const atRest = verified.evidence.find((e) => e.check === 'atRest');
    expect(atRest).toMatchObject({ passed: true, count: 0, scan: { searched: 2 * CUSTOMERS, found: 0 } });
    expect(atRest?.scan?.files).toBeGreaterThan(100);
    expect(masked.skipped).toEqual([
      { table: 'loyalty_cards', column: 'holder', note: expect.stringContaining('skipped') },
    ]);
    expect(verified.evidence).toContainEqual(
      expect.objectContaining({ check: 'skipped', table: 'loyalty_cards', passed: true }),
    );
    expect(masked.rewrite).toMatchObject({ tables: ['customers'], statistics: 'rewritten' });
  }, 120_000);
});
