import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** sha256 of every regular file under `root` (postmaster.pid left out, as every copy leaves it out). */
export function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name === 'postmaster.pid') continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(root, file)] = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return out;
}

/** A small deterministic PRNG (mulberry32), so a failing round can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What Postgres does to relation files, at random: extends one, truncates one, creates one, drops
 * one, and overwrites a page in place (same size, possibly the same clock tick as the last write).
 */
export function randomWrites(root: string, random: () => number, count: number): void {
  const pick = () => {
    const files = fs
      .readdirSync(path.join(root, 'base'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name));
    return files[Math.floor(random() * files.length)];
  };
  const page = (n = 1) => Buffer.alloc(8192 * n, Math.floor(random() * 256));
  for (let i = 0; i < count; i += 1) {
    const kind = Math.floor(random() * 5);
    const file = pick();
    if (kind === 0 && file) fs.appendFileSync(file, page(1 + Math.floor(random() * 4)));
    else if (kind === 1 && file) fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    else if (kind === 2)
      fs.writeFileSync(path.join(root, 'base', '1', `${Math.floor(random() * 1e9)}`), page(2));
    else if (kind === 3 && file) fs.rmSync(file);
    else if (file && fs.statSync(file).size >= 8192) {
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, page(), 0, 8192, 0);
      fs.closeSync(fd);
    }
  }
}

/**
 * A directory shaped like a Postgres data directory, `files` relation files of `size` bytes, last
 * written an hour ago as a cluster's files mostly are. Files written in the filesystem clock's
 * current tick count as changed by the next snapshot (the racy-clean rule), so without the age how
 * many a test sees unchanged would depend on how fast the machine wrote them.
 */
export function fakeDataDir(root: string, files: number, size: number, random: () => number): void {
  fs.mkdirSync(path.join(root, 'base', '1'), { recursive: true });
  fs.mkdirSync(path.join(root, 'pg_wal'), { recursive: true });
  fs.mkdirSync(path.join(root, 'pg_notify'), { recursive: true });
  const written = [path.join(root, 'PG_VERSION')];
  fs.writeFileSync(written[0], '17\n');
  for (let i = 0; i < files; i += 1) {
    const file = path.join(root, 'base', '1', `${16384 + i}`);
    fs.writeFileSync(file, Buffer.alloc(size, Math.floor(random() * 256)));
    written.push(file);
  }
  const anHourAgo = new Date(Date.now() - 3_600_000);
  for (const file of written) fs.utimesSync(file, anHourAgo, anHourAgo);
}
