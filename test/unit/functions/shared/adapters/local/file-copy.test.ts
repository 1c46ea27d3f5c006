import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileInProcess, copyFiles } from '../../../../../../functions/shared/adapters/local/file-copy.js';
import { tempDir } from '../../../../../support/pglite-server.js';

const MB = 1024 * 1024;
const dirs: Array<{ path: string; remove: () => void }> = [];
const scratch = () => {
  const dir = tempDir('tollgate-file-copy-');
  dirs.push(dir);
  return dir.path;
};
afterAll(() => {
  for (const dir of dirs) dir.remove();
});

/** A file of `size` bytes with data only in `parts` (offset, bytes); the rest is a hole. */
function sparseFile(file: string, size: number, parts: Array<[number, Buffer]>): void {
  const fd = fs.openSync(file, 'w', 0o600);
  for (const [at, bytes] of parts) fs.writeSync(fd, bytes, 0, bytes.length, at);
  fs.ftruncateSync(fd, size);
  fs.closeSync(fd);
}

/**
 * Compares in this process: a `cmp` spawn per file cost this suite ~13 s of its 14 on a loaded
 * machine (a fork of a large test process each time).
 */
const sameBytes = (a: string, b: string) => fs.readFileSync(a).equals(fs.readFileSync(b));

const allocatedBytes = (file: string) => fs.statSync(file).blocks * 512;

describe('copyFiles and copyFileInProcess', () => {
  it('copies a few small files in this process byte for byte, owner-only, keeping zero chunks as holes', () => {
    // Arrange
    const from = scratch();
    const to = scratch();
    fs.mkdirSync(path.join(from, 'base/5'), { recursive: true });
    fs.mkdirSync(path.join(to, 'base/5'), { recursive: true });
    const head = Buffer.alloc(8192, 7);
    const tail = Buffer.alloc(100, 9);
    sparseFile(path.join(from, 'base/5/1259'), 6 * MB + 100, [
      [0, head],
      [6 * MB, tail],
    ]);
    fs.writeFileSync(path.join(from, 'PG_VERSION'), '17\n', { mode: 0o644 });
    fs.writeFileSync(path.join(from, 'base/5/empty'), '');
    // Act
    copyFiles(from, to, ['base/5/1259', 'PG_VERSION', 'base/5/empty']);
    // Assert
    for (const rel of ['base/5/1259', 'PG_VERSION', 'base/5/empty']) {
      expect(fs.readFileSync(path.join(to, rel)).equals(fs.readFileSync(path.join(from, rel))), rel).toBe(
        true,
      );
      expect(fs.statSync(path.join(to, rel)).mode & 0o777, rel).toBe(0o600);
    }
    // 6 MiB of zeros in the middle are not written: at most the two data chunks are allocated.
    expect(allocatedBytes(path.join(to, 'base/5/1259'))).toBeLessThanOrEqual(2 * MB + 64 * 1024);
  });

  it('copies more than it copies in process through cp, with the same bytes', () => {
    // Arrange: 40 MiB in total, above the in-process bound, mostly holes so the test stays cheap
    const from = scratch();
    const to = scratch();
    const marks = [0, 17 * MB, 40 * MB - 10].map(
      (at, i) => [at, Buffer.alloc(10, i + 1)] as [number, Buffer],
    );
    sparseFile(path.join(from, 'big'), 40 * MB, marks);
    fs.writeFileSync(path.join(from, 'small'), 'x');
    // Act
    copyFiles(from, to, ['big', 'small']);
    // Assert
    expect(sameBytes(path.join(from, 'big'), path.join(to, 'big'))).toBe(true);
    expect(fs.readFileSync(path.join(to, 'small'), 'utf8')).toBe('x');
  });

  it('copies many files of mixed sizes in parallel cp runs, every one byte for byte, whatever its name', () => {
    // Arrange: above the in-process bound; names with a space and a leading dash reach cp as paths
    const from = scratch();
    const to = scratch();
    const rels: string[] = [];
    for (const dir of ['base/1', 'base/2', 'global']) {
      fs.mkdirSync(path.join(from, dir), { recursive: true });
      fs.mkdirSync(path.join(to, dir), { recursive: true });
    }
    for (let i = 0; i < 5; i += 1) {
      const rel = `base/1/big${i}`;
      sparseFile(path.join(from, rel), (8 + i) * MB, [[i * MB, Buffer.alloc(4096, i + 1)]]);
      rels.push(rel);
    }
    for (let i = 0; i < 300; i += 1) {
      const rel = `${i % 2 ? 'base/2' : 'global'}/${i}`;
      fs.writeFileSync(path.join(from, rel), Buffer.alloc(8192, i % 256));
      rels.push(rel);
    }
    for (const rel of ['base/2/with space', 'base/2/-starts-with-dash']) {
      fs.writeFileSync(path.join(from, rel), rel);
      rels.push(rel);
    }
    // Act
    copyFiles(from, to, rels);
    // Assert
    const differing = rels.filter((rel) => !sameBytes(path.join(from, rel), path.join(to, rel)));
    expect(differing).toEqual([]);
  });

  it('copies a large set to a destination given as a relative path where it names, not under the source', () => {
    // Arrange: the source deeper than the working directory, so the relative path means elsewhere there
    const from = path.join(scratch(), 'deeper', 'still');
    fs.mkdirSync(from, { recursive: true });
    const to = scratch();
    sparseFile(path.join(from, 'big'), 40 * MB, [[0, Buffer.alloc(10, 1)]]);
    // Act
    copyFiles(from, path.relative(process.cwd(), to), ['big']);
    // Assert
    expect(sameBytes(path.join(from, 'big'), path.join(to, 'big'))).toBe(true);
    expect(fs.readdirSync(from)).toEqual(['big']);
  });

  it('fails a large copy with one line naming both roots when a source file is missing', () => {
    // Arrange
    const from = scratch();
    const to = scratch();
    sparseFile(path.join(from, 'big'), 40 * MB, [[0, Buffer.alloc(10, 1)]]);
    fs.writeFileSync(path.join(from, 'small'), 'x');
    // Act
    const copy = () => copyFiles(from, to, ['big', 'small', 'gone']);
    // Assert
    expect(copy).toThrow(/ENOENT/);
    expect(fs.readdirSync(to)).toEqual([]);
  });

  it('refuses a destination that exists and leaves it as it was', () => {
    // Arrange
    const dir = scratch();
    fs.writeFileSync(path.join(dir, 'a'), 'new');
    fs.writeFileSync(path.join(dir, 'b'), 'old');
    // Act
    const copy = () => copyFileInProcess(path.join(dir, 'a'), path.join(dir, 'b'));
    // Assert
    expect(copy).toThrow(/EEXIST/);
    expect(fs.readFileSync(path.join(dir, 'b'), 'utf8')).toBe('old');
  });

  it('refuses a source that does not exist and creates nothing', () => {
    // Arrange
    const dir = scratch();
    // Act
    const copy = () => copyFileInProcess(path.join(dir, 'missing'), path.join(dir, 'b'));
    // Assert
    expect(copy).toThrow(/ENOENT/);
    expect(fs.existsSync(path.join(dir, 'b'))).toBe(false);
  });
});
