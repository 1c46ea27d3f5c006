import fs from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillWithEmptyCluster } from '../../../../../../functions/shared/adapters/local/empty-cluster.js';
import {
  dataRows,
  queryMessage,
} from '../../../../../../functions/shared/adapters/local/pg-wire-messages.js';
import { VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import { ThreadedPGlite } from '../../../../../../functions/shared/adapters/local/threaded-pglite.js';
import {
  expectLoopAnsweredDuring,
  LONG_STATEMENT,
  timeLongStatement,
} from '../../../../../support/loop-delay.js';
import { sql, tempDir } from '../../../../../support/pglite-server.js';

const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

describe('VolumeHost with each volume in its own thread', () => {
  const dir = tempDir('tollgate-threaded-host-');
  const host = new VolumeHost({ dataDir: dir.path, warmStart: false });
  let url = '';

  beforeAll(async () => {
    url = await host.open('busy', 0);
  });

  afterAll(async () => {
    await host.closeAll();
    dir.remove();
  });

  it('keeps the event loop answering while the volume runs a long statement', async () => {
    // Arrange: the volume opened in beforeAll.
    // Act
    const timing = await timeLongStatement(url);
    // Assert: in-process, the loop stood still for the whole statement.
    expectLoopAnsweredDuring(timing);
  });

  it('streams a result larger than one thread message in order', async () => {
    // Act
    const rows = await sql<{ n: number; s: string }>(
      url,
      "SELECT g AS n, repeat('x', 200) || g AS s FROM generate_series(1, 4000) g ORDER BY g",
    );
    // Assert
    expect(rows).toHaveLength(4000);
    expect(rows.every((r, i) => r.n === i + 1 && r.s === `${'x'.repeat(200)}${i + 1}`)).toBe(true);
  });
});

describe('ThreadedPGlite', () => {
  const dir = tempDir('tollgate-threaded-');
  const volume = path.join(dir.path, 'volume');
  const crashed = path.join(dir.path, 'crashed');

  beforeAll(async () => {
    await fillWithEmptyCluster(volume, START_PARAMS);
    await fillWithEmptyCluster(crashed, START_PARAMS);
  });

  afterAll(() => dir.remove());

  it('fails a pending statement and every later one with one line when its thread dies', async () => {
    // Arrange
    const db = await ThreadedPGlite.open(crashed, START_PARAMS);
    const pending = db.exec(LONG_STATEMENT);
    // Act: what an OOM kill or a WASM abort does to the thread, mid-statement.
    await (db.thread as unknown as { worker: Worker }).worker.terminate();
    // Assert
    const error = await pending.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(
      /^the PGlite thread of .*crashed ended \(exit code 1\); the volume must be opened again$/,
    );
    await expect(db.exec('SELECT 1')).rejects.toThrow(error!.message);
    await db.close();
  });

  it('refuses to attach a spare to a directory that is not a cluster, with one line, and writes nothing', async () => {
    // Arrange
    const spare = ThreadedPGlite.spare(START_PARAMS);
    const empty = fs.mkdtempSync(path.join(dir.path, 'empty-'));
    try {
      // Act
      const attached = spare.attach(empty);
      // Assert
      await expect(attached).rejects.toThrow(
        /^warm PGlite: .* is not a Postgres data directory \(no PG_VERSION\)$/,
      );
      await expect(attached).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
      expect(fs.readdirSync(empty)).toEqual([]);
    } finally {
      await spare.close();
    }
  });

  it('serves the same rows from a spare attached to the volume as from a cold start', async () => {
    // Arrange
    const cold = await ThreadedPGlite.open(volume, START_PARAMS);
    await cold.exec('CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 50) g');
    await cold.close();
    const spare = ThreadedPGlite.spare(START_PARAMS);
    await spare.whenReady();
    // Act
    const db = await spare.attach(volume);
    const chunks: Uint8Array[] = [];
    await db.runExclusive(() =>
      db.execProtocolRawStream(queryMessage('SELECT count(*) FROM t'), {
        onRawData: (data) => chunks.push(data),
      }),
    );
    await db.close();
    // Assert
    expect(dataRows(Buffer.concat(chunks))).toEqual([['50']]);
  });
});
