import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanFiles, sumScans } from '../../../../../../functions/shared/adapters/local/forensic-scan.js';
import { tempDir } from '../../../../../support/pglite-server.js';

describe('scanFiles', () => {
  const dir = tempDir('tollgate-scan-');
  afterAll(() => dir.remove());

  it('returns each value found once, in any file at any depth, with the files that hold them and no value', async () => {
    // Arrange: binary around the value, a value split by nothing, a nested file, a file without any.
    fs.mkdirSync(path.join(dir.path, 'base', '5'), { recursive: true });
    const page = Buffer.concat([
      Buffer.from([0, 255, 10, 7]),
      Buffer.from('ana.silva@realmail.org'),
      Buffer.alloc(8),
    ]);
    fs.writeFileSync(path.join(dir.path, 'base', '5', '16385'), page);
    fs.writeFileSync(
      path.join(dir.path, 'pg_wal-seg'),
      Buffer.from('xxana.silva@realmail.orgyy+1-212-555-7788'),
    );
    fs.writeFileSync(path.join(dir.path, 'clean'), Buffer.from('user_1@example.invalid'));
    // Act
    const scan = await scanFiles(dir.path, [
      'ana.silva@realmail.org',
      '+1-212-555-7788',
      'bob@realmail.org',
      'Ann', // too short to mean anything
      'two\nlines',
    ]);
    // Assert
    expect(scan).toEqual({
      kind: 'scanned',
      files: 3,
      bytes: page.length + 41 + 22,
      searched: 3,
      skipped: 2,
      found: 2,
      hitFiles: ['base/5/16385', 'pg_wal-seg'],
    });
  });

  it('throws InvalidInput when the directory does not exist', async () => {
    // Act
    const scan = scanFiles(path.join(dir.path, 'nope'), ['ana.silva@realmail.org']);
    // Assert
    await expect(scan).rejects.toThrow(/^cannot scan .*nope: it does not exist$/);
  });

  it('returns the sum of several volumes, and unreachable when any one is', () => {
    // Arrange
    const one = {
      kind: 'scanned' as const,
      files: 2,
      bytes: 10,
      searched: 4,
      skipped: 1,
      found: 1,
      hitFiles: ['a'],
    };
    // Act
    const both = sumScans([one, { ...one, found: 0, hitFiles: [] }]);
    const partly = sumScans([one, { kind: 'unreachable', reason: 'r' }]);
    // Assert
    expect(both).toEqual({
      kind: 'scanned',
      files: 4,
      bytes: 20,
      searched: 4,
      skipped: 1,
      found: 1,
      hitFiles: ['a'],
    });
    expect(partly).toEqual({ kind: 'unreachable', reason: 'r' });
  });
});
