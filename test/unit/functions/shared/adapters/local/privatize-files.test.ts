import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { privatizeFiles } from '../../../../../../functions/shared/adapters/local/incremental-copy.js';
import { tempDir } from '../../../../../support/pglite-server.js';

describe('privatizeFiles', () => {
  const dirs: Array<{ remove: () => void }> = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('gives each file shared with another directory a private copy with its bytes, and leaves the rest and the other directory alone', () => {
    // Arrange: `staged` shares base/1/16384 with `snapshot` (a hard link), owns base/1/16385
    const root = tempDir('tollgate-privatize-');
    dirs.push(root);
    const staged = path.join(root.path, 'staged');
    const snapshot = path.join(root.path, 'snapshot');
    for (const d of [staged, snapshot]) fs.mkdirSync(path.join(d, 'base', '1'), { recursive: true });
    const shared = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    fs.writeFileSync(path.join(snapshot, 'base/1/16384'), shared, { mode: 0o600 });
    fs.linkSync(path.join(snapshot, 'base/1/16384'), path.join(staged, 'base/1/16384'));
    fs.writeFileSync(path.join(staged, 'base/1/16385'), 'own', { mode: 0o600 });
    // A copy a crash left half made in this loop before
    fs.writeFileSync(path.join(staged, 'base/1/16384.private'), 'half');
    const ownIno = fs.statSync(path.join(staged, 'base/1/16385')).ino;

    // Act
    const count = privatizeFiles(staged);
    fs.writeFileSync(path.join(staged, 'base/1/16384'), 'masked'); // as masking would write

    // Assert
    expect(count).toBe(1);
    expect(fs.readFileSync(path.join(snapshot, 'base/1/16384')).equals(shared)).toBe(true);
    expect(fs.statSync(path.join(snapshot, 'base/1/16384')).nlink).toBe(1);
    expect(fs.statSync(path.join(staged, 'base/1/16385')).ino).toBe(ownIno);
    expect(fs.existsSync(path.join(staged, 'base/1/16384.private'))).toBe(false);
  });
});
