import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { TollgateError } from '../../errors.js';

/** The archive is malformed, unsafe (path traversal, links) or not the release it claims to be. */
export class ReleaseUnpackError extends TollgateError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Tollgate.ReleaseUnpackFailed';
  }
}

export interface UnpackResult {
  readonly files: number;
  /** `sha256:<hex>` of the compressed bytes, as read. */
  readonly digest: string;
}

/**
 * Extracts a release tarball (tar.gz) into `targetDir`, which must not exist yet.
 *
 * Everything goes into a sibling temp directory first and is renamed into place at the end, so a
 * half-extracted or rejected archive never shows up as a release. Entries that would escape the
 * target (absolute paths, `..`), links and device files are refused: a release is built by a
 * commit's build script, which is untrusted input as far as the deployer is concerned.
 * When `expectedDigest` is given the compressed bytes are hashed on the way through and a mismatch
 * rejects the release (a corrupted or swapped artifact must never run).
 */
export async function unpackRelease(
  source: Readable,
  targetDir: string,
  expectedDigest?: string,
): Promise<UnpackResult> {
  const root = resolve(targetDir);
  const staging = `${root}.tmp-${randomBytes(4).toString('hex')}`;
  await mkdir(staging, { recursive: true });
  const hash = createHash('sha256');
  let files = 0;
  try {
    const tee = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    const extractor = extract();
    const consume = (async () => {
      for await (const entry of extractor) {
        const target = safeTarget(staging, entry.header.name);
        const type = entry.header.type;
        if (type === 'directory') {
          if (target) await mkdir(target, { recursive: true });
          entry.resume();
        } else if (type === 'file' || type === 'contiguous-file') {
          if (!target) throw new ReleaseUnpackError(`release archive has a file entry without a name`);
          await mkdir(dirname(target), { recursive: true });
          const mode = (entry.header.mode ?? 0o644) & 0o755;
          await pipeline(entry, createWriteStream(target, { mode: mode | 0o600 }));
          files += 1;
        } else {
          throw new ReleaseUnpackError(
            `release archive entry "${entry.header.name}" is a ${type}; only files and directories are allowed`,
          );
        }
      }
    })();
    await Promise.all([pipeline(source, tee, createGunzip(), extractor), consume]);
    const digest = `sha256:${hash.digest('hex')}`;
    if (expectedDigest !== undefined && digest !== expectedDigest) {
      throw new ReleaseUnpackError(
        `release archive digest ${digest} does not match the release digest ${expectedDigest}`,
      );
    }
    if (files === 0) throw new ReleaseUnpackError('release archive contains no files');
    await mkdir(dirname(root), { recursive: true });
    await rename(staging, root);
    return { files, digest };
  } catch (thrown) {
    await rm(staging, { recursive: true, force: true });
    if (thrown instanceof ReleaseUnpackError) throw thrown;
    const message = (thrown as Error).message?.split('\n')[0] ?? String(thrown);
    throw new ReleaseUnpackError(`cannot unpack release archive: ${message}`, { cause: thrown });
  }
}

/** Resolves an entry name inside `root`; undefined for the root itself. Throws on escapes. */
function safeTarget(root: string, name: string): string | undefined {
  if (name.includes('\0')) throw new ReleaseUnpackError(`release archive entry name contains a NUL byte`);
  const normalised = posix.normalize(name.replace(/\\/g, '/'));
  if (isAbsolute(name) || posix.isAbsolute(normalised) || /^[a-zA-Z]:/.test(name)) {
    throw new ReleaseUnpackError(`release archive entry "${name}" has an absolute path`);
  }
  if (normalised === '..' || normalised.startsWith('../')) {
    throw new ReleaseUnpackError(`release archive entry "${name}" escapes the release directory`);
  }
  if (normalised === '.' || normalised === './') return undefined;
  const target = join(root, normalised);
  if (!target.startsWith(root + sep)) {
    throw new ReleaseUnpackError(`release archive entry "${name}" escapes the release directory`);
  }
  return target;
}
