import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { InvalidInputError, SnapshotFailedError } from '../../errors.js';
import type { RestScan } from '../../ports/snapshot-provider.js';

/**
 * Values shorter than this occur in any data directory by chance ("Ana", "12"), so a hit would say
 * nothing about a leak; they are left out of the search and counted as such.
 */
const MIN_NEEDLE_BYTES = 6;

/**
 * Searches the raw bytes of every file under `dir` for each needle: heap, indexes, TOAST, free-space
 * maps, WAL, temporary files, whatever is there. GNU/BSD `grep -F` does the matching (Aho-Corasick
 * style, one pass over the bytes whatever the number of needles); the needles go in on stdin, so no
 * production value is ever written to disk. The report holds counts and file names only.
 *
 * A value Postgres stored compressed (TOAST pglz/lz4, over about 2 kB) is not found as its literal
 * bytes; the sample is of ordinary column values, which are stored as they are.
 */
export async function scanFiles(dir: string, needles: readonly string[]): Promise<RestScan> {
  if (!fs.existsSync(dir)) throw new InvalidInputError(`cannot scan ${dir}: it does not exist`);
  const usable = [
    ...new Set(needles.filter((n) => Buffer.byteLength(n) >= MIN_NEEDLE_BYTES && !/[\r\n]/.test(n))),
  ];
  const { files, bytes } = tally(dir);
  const base = { kind: 'scanned' as const, files, bytes, searched: usable.length };
  const skipped = needles.length - usable.length;
  if (usable.length === 0) return { ...base, skipped, found: 0, hitFiles: [] };
  const matches = await grep(dir, usable);
  const found = new Set<string>();
  const hitFiles = new Set<string>();
  for (const line of matches) {
    // `-o` prints `<file>:<match>`; data-directory paths hold no ':' (names are digits and words).
    const at = line.indexOf(':');
    if (at < 0) continue;
    hitFiles.add(path.normalize(line.slice(0, at)));
    found.add(line.slice(at + 1));
  }
  const hits = usable.filter((n) => found.has(n) || [...found].some((f) => f.includes(n))).length;
  return { ...base, skipped, found: hits, hitFiles: [...hitFiles].sort() };
}

function tally(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files += 1;
    bytes += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

function grep(dir: string, needles: readonly string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    // LC_ALL=C: bytes, not characters, so no locale decoding can hide or invent a match.
    const child = spawn('grep', ['-r', '-a', '-F', '-o', '-f', '-', '.'], {
      cwd: dir,
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', (error) =>
      reject(new SnapshotFailedError(`forensic scan of ${dir}: grep failed (${error.message})`)),
    );
    child.on('close', (code) => {
      // 0: matches, 1: none; anything else is an error (an unreadable file is not a clean scan).
      if (code !== 0 && code !== 1) {
        reject(new SnapshotFailedError(`forensic scan of ${dir} failed: ${err.trim().split('\n')[0]}`));
        return;
      }
      resolve(
        Buffer.concat(out)
          .toString('utf8')
          .split('\n')
          .filter((l) => l.length > 0),
      );
    });
    child.stdin.end(`${needles.join('\n')}\n`);
  });
}

/** One report for the scans of several volumes (a clone with more than one target). */
export function sumScans(scans: readonly RestScan[]): RestScan {
  let files = 0;
  let bytes = 0;
  let searched = 0;
  let skipped = 0;
  let found = 0;
  const hitFiles: string[] = [];
  for (const s of scans) {
    if (s.kind !== 'scanned') return s;
    files += s.files;
    bytes += s.bytes;
    searched = Math.max(searched, s.searched);
    skipped = Math.max(skipped, s.skipped);
    found += s.found;
    hitFiles.push(...s.hitFiles);
  }
  return { kind: 'scanned', files, bytes, searched, skipped, found, hitFiles };
}
