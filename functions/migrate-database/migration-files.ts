import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { MigrationFailedError } from '../shared/errors.js';

export interface Migration {
  /** Numeric prefix, e.g. 3 for `0003_unique_lower_email.sql`. */
  readonly version: number;
  /** File name without `.sql`, e.g. `0003_unique_lower_email`. */
  readonly name: string;
  readonly sql: string;
  /** sha256 hex of the file bytes. */
  readonly checksum: string;
}

const MIGRATION_FILE = /^(\d{4})_([a-z0-9][a-z0-9_]*)\.sql$/;

/** Turns `{fileName: bytes}` into migrations sorted by version; rejects misnamed and duplicate files. */
function parseMigrations(files: ReadonlyMap<string, Buffer>): Migration[] {
  const byVersion = new Map<number, Migration>();
  for (const [file, bytes] of files) {
    if (!file.endsWith('.sql')) continue; // READMEs and the like live next to migrations
    const match = MIGRATION_FILE.exec(file);
    if (!match) {
      throw new MigrationFailedError(
        `migration file "${file}" is misnamed; use NNNN_description.sql (4 digits, lowercase, underscores)`,
      );
    }
    const version = Number(match[1]);
    const existing = byVersion.get(version);
    if (existing) {
      throw new MigrationFailedError(`migrations "${existing.name}" and "${file}" share version ${match[1]}`);
    }
    byVersion.set(version, {
      version,
      name: file.slice(0, -'.sql'.length),
      sql: bytes.toString('utf8'),
      checksum: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/** Reads migrations from an unpacked release's directory. */
export function loadMigrationsFromDir(dir: string): Migration[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    entries = readdirSync(dir);
  } catch (cause) {
    throw new MigrationFailedError(`migrations directory "${dir}" cannot be read`, { cause });
  }
  const files = new Map<string, Buffer>();
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isFile()) files.set(entry, readFileSync(path));
  }
  return parseMigrations(files);
}

/**
 * Reads the migrations straight out of the release tarball (gzipped or not), keeping only regular
 * files directly under `dir`. The artifact is streamed; only the migration files are held in memory.
 */
export async function loadMigrationsFromTarball(source: Readable, dir: string): Promise<Migration[]> {
  const prefix = `${normaliseDir(dir)}/`;
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const path = normaliseDir(header.name);
      const rest = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
      if (header.type !== 'file' || rest === undefined || rest.includes('/')) {
        stream.on('end', next);
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        files.set(rest, Buffer.concat(chunks));
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  const head = await peek(source);
  const input = head.gzip ? head.stream.pipe(createGunzip()) : head.stream;
  input.on('error', (e) => extract.destroy(e));
  input.pipe(extract);
  try {
    await done;
  } catch (cause) {
    throw new MigrationFailedError(
      `release artifact is not a readable tar archive: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  if (files.size === 0) throw new MigrationFailedError(`release artifact has no files under "${dir}/"`);
  return parseMigrations(files);
}

function normaliseDir(path: string): string {
  return path.replace(/^\.\//, '').replace(/\/+$/, '');
}

/** Reads the first bytes to tell gzip (1f 8b) from a plain tar, then hands back the whole stream. */
async function peek(source: Readable): Promise<{ gzip: boolean; stream: Readable }> {
  const out = new PassThrough();
  return new Promise((resolve, reject) => {
    let decided = false;
    source.on('data', (chunk: Buffer) => {
      if (!decided) {
        decided = true;
        resolve({ gzip: chunk[0] === 0x1f && chunk[1] === 0x8b, stream: out });
      }
      if (!out.write(chunk)) {
        source.pause();
        out.once('drain', () => source.resume());
      }
    });
    source.on('end', () => {
      if (!decided) {
        decided = true;
        resolve({ gzip: false, stream: out });
      }
      out.end();
    });
    source.on('error', (e) => {
      if (!decided) reject(e);
      else out.destroy(e);
    });
  });
}
