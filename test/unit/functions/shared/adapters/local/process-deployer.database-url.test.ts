import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirArtifactStore } from '../../../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import { ProcessDeployer } from '../../../../../../functions/shared/adapters/local/process-deployer.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import { settle } from '../../ports/deployer.contract.js';

// The app reports the DATABASE_URL it was started with, so the test can connect with exactly that.
const APP = `
import { createServer } from 'node:http';
createServer((req, res) => {
  if (req.url === '/health') { res.end('ok'); return; }
  res.end(process.env.DATABASE_URL ?? '');
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

describe('ProcessDeployer DATABASE_URL', () => {
  let dir = '';
  let host: VolumeHost;
  let deployer: ProcessDeployer;
  let appPort = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'deployer-db-url-'));
    const dataDir = join(dir, '.tollgate');
    appPort = await freePort();
    const dbPort = await freePort();
    const config = parseConfig({
      name: 'orders-service',
      source: { repository: 'orders-service' },
      build: { command: 'true', artifact: 'dist/release.tgz' },
      environments: [
        {
          name: 'test',
          deploy: { type: 'process', command: 'node server.mjs', port: appPort },
          database: { port: dbPort },
          deployTimeout: '20s',
        },
      ],
    });
    host = new VolumeHost({ dataDir });
    await host.open('test', dbPort);
    const store = new DirArtifactStore(join(dir, 'artifacts'));
    const p = pack();
    p.entry({ name: 'server.mjs' }, APP);
    p.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of p) chunks.push(chunk as Buffer);
    const { key, digest } = await store.ingest(Readable.from([gzipSync(Buffer.concat(chunks))]));
    deployer = new ProcessDeployer({
      config,
      dataDir,
      artifacts: store,
      healthIntervalMs: 50,
      stopGraceMs: 500,
    });
    const started = await deployer.start({
      pipeline: 'orders-service',
      environment: 'test',
      release: { version: 'r1-aaaaaaa', digest, artifactKey: key, commit: 'a'.repeat(40) },
      idempotencyKey: 'arn:aws:states:local:0:execution:tollgate:db#Deploy',
    });
    const status = await settle(
      { deployer, advance: () => new Promise<void>((d) => setTimeout(d, 50)) } as never,
      started.deploymentId,
    );
    if (status.state !== 'HEALTHY') throw new Error(`deploy did not succeed: ${JSON.stringify(status)}`);
  }, 60_000);

  afterAll(async () => {
    await deployer?.close();
    await host?.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('hands the app a DATABASE_URL whose password the environment database accepts', async () => {
    // Arrange
    const url = await (await fetch(`http://127.0.0.1:${appPort}/env`)).text();
    const client = new pg.Client({ connectionString: url });
    // Act
    await client.connect();
    const { rows } = await client.query<{ user: string }>('SELECT current_user AS user');
    await client.end();
    // Assert
    expect(new URL(url).password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url).toBe(host.connectionString('test'));
    expect(rows).toEqual([{ user: 'postgres' }]);
  });
});
