import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reflinkCheck } from '../../../../cli/commands/doctor/reflink-check.js';
import { mountReflinkFs, reflinkFsUnavailable } from '../../../support/reflink-fs.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-doctor-reflink-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** The probe directories the check made and did not remove. */
const leftovers = (dir: string) => fs.readdirSync(dir).filter((name) => name.startsWith('.reflink-'));

describe('tollgate doctor: reflink', () => {
  // tmpfs has no clones on any Linux.
  it.runIf(fs.existsSync('/dev/shm'))(
    'warns on a filesystem without clones that a refresh copies what changed, and leaves nothing behind',
    () => {
      // Arrange
      const dataDir = fs.mkdtempSync(path.join('/dev/shm', 'tollgate-doctor-'));
      try {
        // Act
        const check = reflinkCheck(dataDir);
        // Assert
        expect(check).toEqual({
          name: 'reflink',
          status: 'warn',
          detail: `no copy-on-write clones under ${dataDir}: a refresh copies the files that changed since the last one (XFS, btrfs or APFS would clone them)`,
        });
        expect(leftovers(dataDir)).toEqual([]);
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );

  it.skipIf(reflinkFsUnavailable() !== undefined)(
    'passes on a filesystem that clones (a loop-mounted XFS image), asked as the refresh asks',
    () => {
      // Arrange
      const reflinkFs = mountReflinkFs(work, 512 * 1024 * 1024);
      try {
        const dataDir = path.join(reflinkFs.dir, '.tollgate');
        fs.mkdirSync(dataDir);
        // Act
        const check = reflinkCheck(dataDir);
        // Assert
        expect(check).toEqual({
          name: 'reflink',
          status: 'ok',
          detail: `copy-on-write clones under ${dataDir}: a refresh clones what changed, at any size`,
        });
        expect(leftovers(dataDir)).toEqual([]);
      } finally {
        reflinkFs.unmount();
      }
    },
  );
});
