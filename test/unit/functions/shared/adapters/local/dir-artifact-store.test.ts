import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DirArtifactStore } from '../../../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { artifactStoreContract } from '../../ports/artifact-store.contract.js';

artifactStoreContract('DirArtifactStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'tollgate-artifacts-'));
  return { store: new DirArtifactStore(root), cleanup: () => rm(root, { recursive: true, force: true }) };
});

describe('DirArtifactStore', () => {
  it('leaves no temp files and a read-only blob when ingest completes', async () => {
    // Arrange
    const root = await mkdtemp(join(tmpdir(), 'tollgate-artifacts-'));
    const store = new DirArtifactStore(root);
    try {
      // Act
      const result = await store.ingest(Readable.from([Buffer.from('release bytes')]));
      // Assert
      expect(await readdir(join(root, '.tmp'))).toEqual([]);
      expect((await stat(join(root, result.key))).mode & 0o222).toBe(0);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('throws InvalidInput and keeps the file when a key would nest under an existing object', async () => {
    // Arrange
    const root = await mkdtemp(join(tmpdir(), 'tollgate-artifacts-'));
    const store = new DirArtifactStore(root);
    try {
      await store.putImmutable('releases/p/r1.json', '{}');
      // Act
      // Each attempt is awaited before the next starts: two pending rejections at once would leave
      // the second unhandled while the first is awaited.
      const nested = /cannot be stored: a parent of it is already a file/;
      await expect(store.putImmutable('releases/p/r1.json/x', '{}')).rejects.toThrow(nested);
      await expect(store.putPointer('releases/p/r1.json/y', 1)).rejects.toThrow(nested);
      // Assert
      expect(await store.list('')).toEqual(['releases/p/r1.json']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('throws InvalidInput when constructed without a root directory', () => {
    // Act + Assert
    expect(() => new DirArtifactStore('')).toThrow(/needs a root directory/);
  });
});
