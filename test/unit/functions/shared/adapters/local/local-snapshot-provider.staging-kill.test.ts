import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalSnapshotProvider } from '../../../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import type {
  SnapshotRef,
  VolumeSetRef,
} from '../../../../../../functions/shared/ports/snapshot-provider.js';
import { tempDir } from '../../../../../support/pglite-server.js';

const CHILD = path.join(import.meta.dirname, '../../../../../support/staging-child.ts');
const REAL = 'ines.duarte@realmail.org';
const labels = {
  pipeline: 'orders',
  run: 'arn:aws:states:local:0:execution:p:r1',
  ttl: '2030-01-01T00:00:00.000Z',
};

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs the staging child until it starts masking, then kills it with SIGKILL; returns what it printed. */
function stageAndKillWhileMasking(dataDir: string): Promise<{ clone: VolumeSetRef; snapshot: SnapshotRef }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('masking\n')) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL')
        return reject(new Error(`staging child ended with ${code}: ${err.split('\n')[0]}`));
      resolve(JSON.parse(out.split('\n')[0]!));
    });
  });
}

/** Files under `dir` whose bytes hold `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && fs.readFileSync(path.join(e.parentPath, e.name)).includes(needle))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('a staged clone whose runtime is killed (SIGKILL) while masking runs in its thread', {
  timeout: 120_000,
}, () => {
  const dirs: Array<{ remove: () => void }> = [];
  const hosts: VolumeHost[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.closeAll();
    for (const d of dirs.splice(0)) d.remove();
  });

  it('is never published or served: test keeps its old data with no real value in its files, and the next staging discards it', async () => {
    // Arrange: prod with a real address, test with old data, neither served
    const dir = tempDir('tollgate-staging-kill-');
    dirs.push(dir);
    const setup = new VolumeHost({ dataDir: dir.path });
    await query(
      await setup.open('prod', 0),
      `CREATE TABLE customers (id int PRIMARY KEY, email text); INSERT INTO customers VALUES (1, '${REAL}')`,
    );
    await query(
      await setup.open('test', 0),
      "CREATE TABLE customers (id int PRIMARY KEY, email text); INSERT INTO customers VALUES (1, 'old@example.invalid')",
    );
    await setup.closeAll();

    // Act: the child stages and starts masking; killed; a new runtime opens the same data dir
    const { clone, snapshot } = await stageAndKillWhileMasking(dir.path);
    const host = new VolumeHost({ dataDir: dir.path });
    hosts.push(host);
    const testUrl = await host.open('test', 0);
    await host.open('prod', 0);
    const provider = new LocalSnapshotProvider({
      dataDir: dir.path,
      host,
      ports: { test: host.portOf('test')! },
      protectedVolumes: ['prod'],
    });
    const publish = await provider.startPublish(clone);
    await provider.idle();
    const published = await provider.poll(publish);
    const again = await provider.startClone({
      idempotencyKey: 'after/clone',
      snapshot,
      targets: [{ source: 'prod', target: 'test' }],
      mode: 'overwrite',
      labels,
      stage: true,
    });
    await provider.idle();
    const restaged = await provider.poll(again);

    // Assert
    expect(published.state).toBe('FAILED');
    expect((await query(testUrl, 'SELECT email FROM customers')).rows).toEqual([
      { email: 'old@example.invalid' },
    ]);
    expect(filesHolding(host.volumeDir('test'), REAL)).toEqual([]);
    expect(restaged.state, restaged.reason).toBe('SUCCEEDED');
    expect(fs.existsSync(path.join(dir.path, 'snapshots', 'staging', clone.name))).toBe(false);
    const info = await provider.connection(restaged.ref as VolumeSetRef);
    const url = info.kind === 'url' ? info.connectionString : '';
    expect((await query(url, 'SELECT email FROM customers')).rows).toEqual([{ email: REAL }]);
    await provider.close();
  });
});
