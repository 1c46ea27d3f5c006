import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tryReflink } from '../../../functions/shared/adapters/local/file-copy.js';
import { type DoctorCheck, ok, warn } from './doctor-check.js';

/**
 * Whether the data directory's filesystem clones files (XFS, btrfs, APFS), asked with the call the
 * local snapshot provider makes (`tryReflink`: FICLONE on Linux, clonefile on macOS), not with
 * `cp --reflink`, which macOS's cp does not have. Where it clones, a refresh costs the same at any
 * size; elsewhere it copies the files that changed since the last one.
 */
export function reflinkCheck(dataDir: string): DoctorCheck {
  const base = existsSync(dataDir) ? dataDir : tmpdir();
  const dir = mkdtempSync(join(base, '.reflink-'));
  try {
    writeFileSync(join(dir, 'a'), 'reflink probe\n');
    return tryReflink(join(dir, 'a'), join(dir, 'b'))
      ? ok('reflink', `copy-on-write clones under ${base}: a refresh clones what changed, at any size`)
      : warn(
          'reflink',
          `no copy-on-write clones under ${base}: a refresh copies the files that changed since the last one (XFS, btrfs or APFS would clone them)`,
        );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
