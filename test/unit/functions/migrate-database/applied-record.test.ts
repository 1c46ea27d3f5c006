import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordMigrations } from '../../../../functions/migrate-database/applied-record.js';
import { migrateDatabase } from '../../../../functions/migrate-database/migrate-database.js';
import type { Migration } from '../../../../functions/migrate-database/migration-files.js';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { type PgliteServer, resetSchema, startPgliteServer } from '../../../support/pglite-server.js';

const migration = (version: number, slug: string, text: string): Migration => ({
  version,
  name: `${String(version).padStart(4, '0')}_${slug}`,
  sql: text,
  checksum: createHash('sha256').update(text).digest('hex'),
});
const m1 = migration(1, 'create_people', 'CREATE TABLE people (id int PRIMARY KEY);');
const m2 = migration(2, 'add_email', 'ALTER TABLE people ADD COLUMN email text;');

const RUN = {
  executionArn: 'run-7',
  stateName: 'MigrateDatabase',
  pipeline: 'shop',
  releaseVersion: 'r7-abc',
};

let db: PgliteServer;
const clock = new ManualClock('2026-03-01T10:00:00.000Z');

describe('recordMigrations', () => {
  beforeAll(async () => {
    db = await startPgliteServer();
  });
  afterAll(async () => {
    await db.stop();
  });
  beforeEach(async () => {
    await resetSchema(db.connectionString);
  });

  const ledger = () => new DirLedger(mkdtempSync(join(tmpdir(), 'tollgate-ledger-')));
  const migrate = (migrations: Migration[]) =>
    migrateDatabase({ connectionString: db.connectionString, migrations }, { clock });

  it('records what the run applied and every migration the database now holds', async () => {
    // Arrange
    const trail = ledger();
    await migrate([m1]);
    // Act
    await recordMigrations({ ...RUN, environment: 'prod' }, await migrate([m1, m2]), {
      ledger: trail,
      clock,
    });
    // Assert
    const [entry] = await trail.query({ kinds: ['migrations-applied'] });
    expect(entry).toMatchObject({
      pipeline: 'shop',
      environment: 'prod',
      releaseVersion: 'r7-abc',
      executionArn: 'run-7',
      actor: 'tollgate',
      data: { applied: ['0002_add_email'], present: ['0001_create_people', '0002_add_email'] },
    });
  });

  it('still records the whole set when a retried task finds everything applied, once per environment', async () => {
    // Arrange: the first attempt migrated and died before it could write the record
    const trail = ledger();
    await migrate([m1, m2]);
    // Act
    const retried = await migrate([m1, m2]);
    await recordMigrations({ ...RUN, environment: 'prod' }, retried, { ledger: trail, clock });
    await recordMigrations({ ...RUN, environment: 'prod' }, retried, { ledger: trail, clock });
    await recordMigrations({ ...RUN, environment: 'test' }, retried, { ledger: trail, clock });
    // Assert
    const entries = await trail.query({ kinds: ['migrations-applied'] });
    expect(entries.map((e) => [e.environment, e.data.applied, e.data.present])).toEqual([
      ['prod', [], ['0001_create_people', '0002_add_email']],
      ['test', [], ['0001_create_people', '0002_add_email']],
    ]);
  });

  it('records nothing for a migration run by hand, outside a pipeline run', async () => {
    // Arrange
    const trail = ledger();
    // Act
    await recordMigrations({}, await migrate([m1]), { ledger: trail, clock });
    // Assert
    expect(await trail.query()).toEqual([]);
  });
});
