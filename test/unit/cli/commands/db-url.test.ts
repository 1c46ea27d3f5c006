import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VolumeHost } from '../../../../functions/shared/adapters/local/pglite-volumes.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { freePort } from '../../../support/free-port.js';

const BIN = new URL('../../../../bin/tollgate.js', import.meta.url).pathname;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function tollgate(args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      encoding: 'utf8',
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('tollgate db url', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-db-url-'));
  const repo = join(dir, 'repo');
  const dataDir = join(dir, '.tollgate');
  const host = new VolumeHost({ dataDir });
  let port = 0;
  const common = () => ['--repo', repo, '--data-dir', dataDir];

  beforeAll(async () => {
    port = await freePort();
    const config = validConfig({
      environments: [
        { name: 'test', deploy: { type: 'process', command: 'node src/server.mjs', port: await freePort() } },
        {
          name: 'prod',
          deploy: { type: 'process', command: 'node src/server.mjs', port: await freePort() },
          database: { port },
        },
      ],
    });
    mkdirSync(repo);
    writeFileSync(join(repo, 'tollgate.config.ts'), `export default ${JSON.stringify(config)};\n`);
  });

  afterAll(async () => {
    await host.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 3 with one line naming the fix when the runtime never served the database', async () => {
    // Act
    const run = await tollgate(['db', 'url', 'prod', ...common()]);
    // Assert
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^tollgate: no database password for "prod" at .*; start the runtime once \(npx tollgate up\) to generate it\n$/,
    );
  });

  it('prints a URL, password included, that connects to the served database', async () => {
    // Arrange
    await host.open('prod', port);
    // Act
    const run = await tollgate(['db', 'url', 'prod', ...common()]);
    const client = new pg.Client({ connectionString: run.stdout.trim() });
    await client.connect();
    const { rows } = await client.query<{ ok: number }>('SELECT 1 AS ok');
    await client.end();
    // Assert
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(host.connectionString('prod'));
    expect(rows).toEqual([{ ok: 1 }]);
  });

  it('prints {environment, url} with --json', async () => {
    // Act
    const run = await tollgate(['db', 'url', 'prod', '--json', ...common()]);
    // Assert
    expect(JSON.parse(run.stdout)).toEqual({ environment: 'prod', url: host.connectionString('prod') });
  });

  it.each([
    [
      'an unknown environment',
      'staging',
      'tollgate: unknown environment "staging"; the config has: test, prod\n',
    ],
    [
      'an environment without a database',
      'test',
      'tollgate: environment "test" has no local database; give it environments[].database.port\n',
    ],
  ])('exits 2 with one line for %s', async (_, env, message) => {
    // Act
    const run = await tollgate(['db', 'url', env, ...common()]);
    // Assert
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(message);
  });
});
