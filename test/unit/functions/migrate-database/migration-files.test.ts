import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  loadMigrationsFromDir,
  loadMigrationsFromTarball,
} from '../../../../functions/migrate-database/migration-files.js';
import { tempDir } from '../../../support/pglite-server.js';

async function tarball(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) pack.entry({ name }, body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function dirWith(files: Record<string, string>): string {
  const dir = tempDir();
  cleanups.push(dir.remove);
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir.path, name), body);
  return dir.path;
}

describe('loadMigrationsFromDir', () => {
  it('returns the migrations sorted by version with sha256 checksums when the files are well named', () => {
    // Arrange
    const dir = dirWith({ '0010_b.sql': 'SELECT 2;', '0002_a.sql': 'SELECT 1;', 'README.md': 'notes' });
    // Act
    const migrations = loadMigrationsFromDir(dir);
    // Assert
    expect(migrations.map((m) => [m.version, m.name])).toEqual([
      [2, '0002_a'],
      [10, '0010_b'],
    ]);
    expect(migrations[0].checksum).toBe(createHash('sha256').update('SELECT 1;').digest('hex'));
  });

  it('throws when a .sql file does not follow NNNN_description.sql', () => {
    // Arrange
    const dir = dirWith({ '1_create.sql': 'SELECT 1;' });
    // Act / Assert
    expect(() => loadMigrationsFromDir(dir)).toThrow(/migration file "1_create.sql" is misnamed/);
  });

  it('throws when two files share a version', () => {
    // Arrange
    const dir = dirWith({ '0001_a.sql': 'SELECT 1;', '0001_b.sql': 'SELECT 2;' });
    // Act / Assert
    expect(() => loadMigrationsFromDir(dir)).toThrow(/share version 0001/);
  });

  it('throws when the directory does not exist', () => {
    // Arrange
    const dir = join(dirWith({}), 'missing');
    // Act / Assert
    expect(() => loadMigrationsFromDir(dir)).toThrow(/cannot be read/);
  });

  it('ignores subdirectories next to the migrations', () => {
    // Arrange
    const dir = dirWith({ '0001_a.sql': 'SELECT 1;' });
    mkdirSync(join(dir, '0002_dir.sql'));
    // Act / Assert
    expect(loadMigrationsFromDir(dir).map((m) => m.version)).toEqual([1]);
  });
});

describe('loadMigrationsFromTarball', () => {
  it('returns only the files directly under the migrations dir when the release is gzipped', async () => {
    // Arrange
    const bytes = gzipSync(
      await tarball({
        'src/server.mjs': 'x',
        'migrations/0001_create.sql': 'CREATE TABLE t (id int);',
        'migrations/old/0002_nested.sql': 'SELECT 1;',
      }),
    );
    // Act
    const migrations = await loadMigrationsFromTarball(Readable.from([bytes]), 'migrations');
    // Assert
    expect(migrations.map((m) => m.name)).toEqual(['0001_create']);
    expect(migrations[0].sql).toBe('CREATE TABLE t (id int);');
  });

  it('returns the same checksums as the directory loader when the tar is not compressed', async () => {
    // Arrange
    const files = { '0001_a.sql': 'SELECT 1;', '0002_b.sql': 'SELECT 2;' };
    const bytes = await tarball(Object.fromEntries(Object.entries(files).map(([k, v]) => [`./db/${k}`, v])));
    // Act
    const fromTar = await loadMigrationsFromTarball(Readable.from([bytes]), 'db');
    // Assert
    expect(fromTar.map((m) => m.checksum)).toEqual(
      loadMigrationsFromDir(dirWith(files)).map((m) => m.checksum),
    );
  });

  it('throws when the artifact has no files under the migrations dir', async () => {
    // Arrange
    const bytes = await tarball({ 'src/server.mjs': 'x' });
    // Act / Assert
    await expect(loadMigrationsFromTarball(Readable.from([bytes]), 'migrations')).rejects.toThrow(
      /release artifact has no files under "migrations\/"/,
    );
  });

  it('throws when the artifact is not a tar archive', async () => {
    // Arrange
    const bytes = gzipSync(Buffer.from('this is not a tarball '.repeat(40)));
    // Act / Assert
    await expect(loadMigrationsFromTarball(Readable.from([bytes]), 'migrations')).rejects.toThrow(
      /^release artifact is not a readable tar archive: /,
    );
  });
});
