import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The example app's own client: it ships in a dependency-free release, so it speaks the protocol itself.
// @ts-expect-error plain .mjs of the example app, no type declarations
import { query } from '../../../examples/orders-service/src/pg-wire.mjs';
import { VolumeHost } from '../../../functions/shared/adapters/local/pglite-volumes.js';
import { freePort } from '../../support/free-port.js';

describe('orders-service pg-wire query', () => {
  let dir = '';
  let host: VolumeHost;
  let url = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orders-pg-wire-'));
    host = new VolumeHost({ dataDir: join(dir, '.tollgate') });
    url = await host.open('test', await freePort());
  });
  afterAll(async () => {
    await host.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('returns rows as text (null kept) after SCRAM-SHA-256 with the generated password', async () => {
    // Act
    const rows = await query(url, "SELECT 1 AS one, 'x' AS two, NULL AS three");

    // Assert
    expect(rows).toEqual([{ one: '1', two: 'x', three: null }]);
  });

  it('rejects with the SQLSTATE when a column does not exist', async () => {
    // Arrange
    await query(url, 'CREATE TABLE t (id int)');

    // Act / Assert
    await expect(query(url, 'SELECT note FROM t')).rejects.toThrow(/^42703 column "note" does not exist/);
  });

  it('rejects a wrong password', async () => {
    // Arrange
    const wrong = new URL(url);
    wrong.password = 'not-the-password';

    // Act / Assert
    await expect(query(wrong.toString(), 'SELECT 1')).rejects.toThrow(/password|authentication/i);
  });
});
