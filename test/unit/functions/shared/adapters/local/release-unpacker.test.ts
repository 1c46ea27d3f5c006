import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ReleaseUnpackError,
  unpackRelease,
} from '../../../../../../functions/shared/adapters/local/release-unpacker.js';

type Entry = {
  name: string;
  body?: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
  mode?: number;
};

async function tarGz(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) {
    p.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.mode }, e.body ?? '');
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('unpackRelease', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'unpack-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('extracts files and directories and keeps the executable bit when the archive is valid', async () => {
    // Arrange
    const bytes = await tarGz([
      { name: 'src/', type: 'directory' },
      { name: 'src/server.js', body: 'console.log(1)' },
      { name: 'bin/run', body: '#!/bin/sh', mode: 0o755 },
    ]);
    // Act
    const result = await unpackRelease(Readable.from([bytes]), join(dir, 'r1'), digestOf(bytes));
    // Assert
    expect(result).toEqual({ files: 2, digest: digestOf(bytes) });
    expect(await readFile(join(dir, 'r1/src/server.js'), 'utf8')).toBe('console.log(1)');
    expect((await stat(join(dir, 'r1/bin/run'))).mode & 0o111).not.toBe(0);
    expect(await readdir(dir)).toEqual(['r1']);
  });

  it.each([
    ['a parent-directory escape', [{ name: '../evil.js', body: 'x' }], /escapes the release directory/],
    ['a nested escape', [{ name: 'src/../../evil.js', body: 'x' }], /escapes the release directory/],
    ['an absolute path', [{ name: '/tmp/evil.js', body: 'x' }], /absolute path/],
    ['a symlink', [{ name: 'link', type: 'symlink', linkname: '/etc/passwd' }], /is a symlink/],
    [
      'a hard link',
      [
        { name: 'f', body: 'x' },
        { name: 'g', type: 'link', linkname: 'f' },
      ],
      /is a link/,
    ],
    ['no files', [{ name: 'empty/', type: 'directory' }], /contains no files/],
  ] as const)(
    'rejects the archive and leaves nothing behind when it has %s',
    async (_label, entries, message) => {
      // Arrange
      const bytes = await tarGz([...entries] as Entry[]);
      // Act
      const attempt = unpackRelease(Readable.from([bytes]), join(dir, 'r1'));
      // Assert
      await expect(attempt).rejects.toThrow(message);
      await expect(attempt).rejects.toBeInstanceOf(ReleaseUnpackError);
      expect(await readdir(dir)).toEqual([]);
    },
  );

  it('rejects the archive when its digest differs from the release digest', async () => {
    // Arrange
    const bytes = await tarGz([{ name: 'a.txt', body: 'a' }]);
    // Act
    const attempt = unpackRelease(Readable.from([bytes]), join(dir, 'r1'), `sha256:${'0'.repeat(64)}`);
    // Assert
    await expect(attempt).rejects.toThrow(/does not match the release digest/);
    expect(existsSync(join(dir, 'r1'))).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects input that is not gzip with a single-line error', async () => {
    // Arrange
    const bytes = Buffer.from('this is not a tarball');
    // Act
    const attempt = unpackRelease(Readable.from([bytes]), join(dir, 'r1'));
    // Assert
    await expect(attempt).rejects.toThrow(/^cannot unpack release archive: [^\n]+$/);
    expect(await readdir(dir)).toEqual([]);
  });
});
