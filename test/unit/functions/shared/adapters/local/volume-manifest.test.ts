import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  entryOf,
  filesystemStampNs,
  statFile,
  unchangedSince,
} from '../../../../../../functions/shared/adapters/local/volume-manifest.js';
import { tempDir } from '../../../../../support/pglite-server.js';

describe('unchangedSince (the racy-clean rule)', () => {
  const dirs: Array<{ remove: () => void }> = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  function fileWrittenAt(mtime: Date | undefined) {
    const dir = tempDir('tollgate-manifest-');
    dirs.push(dir);
    const file = path.join(dir.path, '16384');
    fs.writeFileSync(file, Buffer.alloc(8192, 1));
    if (mtime) fs.utimesSync(file, mtime, mtime);
    return { dir: dir.path, file, entry: entryOf(statFile(file)!, 'g1') };
  }

  it('counts a file untouched since an older mtime as unchanged', () => {
    const { dir, file, entry } = fileWrittenAt(new Date(Date.now() - 60_000));
    const stamp = BigInt(filesystemStampNs(dir));

    expect(unchangedSince(statFile(file), entry, stamp)).toBe(true);
  });

  it('counts a file whose mtime is not older than the stamp as changed, as it could be rewritten in the same tick', () => {
    const { file, entry } = fileWrittenAt(undefined);

    expect(unchangedSince(statFile(file), entry, BigInt(entry.mtimeNs))).toBe(false);
  });

  it('counts a rewrite, a replacement by another inode and a removal as changed', () => {
    const old = new Date(Date.now() - 60_000);
    const { dir, file, entry } = fileWrittenAt(old);
    const stamp = BigInt(filesystemStampNs(dir));
    const keepInode = path.join(dir, 'held');
    fs.linkSync(file, keepInode); // the old inode stays in use, so the replacement cannot reuse it

    fs.writeFileSync(`${file}.new`, Buffer.alloc(8192, 1));
    fs.utimesSync(`${file}.new`, old, old);
    fs.renameSync(`${file}.new`, file);
    expect(unchangedSince(statFile(file), entry, stamp)).toBe(false);

    const rewritten = fileWrittenAt(old);
    fs.writeFileSync(rewritten.file, Buffer.alloc(8192, 2));
    expect(unchangedSince(statFile(rewritten.file), rewritten.entry, stamp)).toBe(false);

    fs.rmSync(file);
    expect(unchangedSince(statFile(file), entry, stamp)).toBe(false);
  });
});
