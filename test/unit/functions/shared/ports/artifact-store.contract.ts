import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactStore } from '../../../../../functions/shared/ports/artifact-store.js';

export interface ArtifactStoreFixture {
  readonly store: ArtifactStore;
  readonly cleanup?: () => Promise<void>;
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** Deterministic pseudo-random bytes, yielded in uneven chunks like a real socket or file would. */
function patterned(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function chunked(bytes: Buffer, sizes: number[]): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0, i = 0; offset < bytes.length; i++) {
    const n = sizes[i % sizes.length];
    chunks.push(bytes.subarray(offset, offset + n));
    offset += n;
  }
  return Readable.from(chunks);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

const BAD_KEYS: Array<[string, string]> = [
  ['a parent segment', 'releases/../secrets.json'],
  ['an absolute path', '/etc/passwd'],
  ['an empty segment', 'releases//x.json'],
  ['a dot segment', 'releases/./x.json'],
  ['a leading-dot segment', '.tmp/x'],
  ['an empty key', ''],
];

/** The one behaviour every ArtifactStore adapter must show, whatever it stores into. */
export function artifactStoreContract(adapter: string, setup: () => Promise<ArtifactStoreFixture>): void {
  describe(`ArtifactStore contract: ${adapter}`, () => {
    let fixture: ArtifactStoreFixture;
    let store: ArtifactStore;

    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup?.();
    });

    describe('ingest', () => {
      it('returns the sha256 digest, size and content address when the stream arrives in uneven chunks', async () => {
        // Arrange
        const bytes = patterned(12 * 1024 * 1024 + 17, 7);
        // Act
        const result = await store.ingest(chunked(bytes, [65_536, 1, 3_000_001, 777]));
        // Assert
        expect(result).toEqual({
          key: `blobs/sha256/${sha256(bytes)}`,
          digest: `sha256:${sha256(bytes)}`,
          size: bytes.length,
          created: true,
        });
        expect(Buffer.compare(await readAll(await store.open(result.key)), bytes)).toBe(0);
      });

      it('returns created false and keeps one copy when the same bytes are ingested again', async () => {
        // Arrange
        const bytes = patterned(4096, 3);
        const first = await store.ingest(Readable.from([bytes]));
        // Act
        const second = await store.ingest(chunked(bytes, [100]));
        // Assert
        expect(first.created).toBe(true);
        expect(second).toEqual({ ...first, created: false });
        expect(await store.list('blobs/')).toEqual([first.key]);
      });

      it('returns the digest of nothing when the stream is empty', async () => {
        // Act
        const result = await store.ingest(Readable.from([]));
        // Assert
        expect(result.digest).toBe(`sha256:${sha256('')}`);
        expect(result.size).toBe(0);
        expect(await store.getText(result.key)).toBe('');
      });

      it('rejects with the source error and stores nothing when the stream fails midway', async () => {
        // Arrange
        async function* failing() {
          yield patterned(6 * 1024 * 1024, 1);
          throw new Error('disk went away');
        }
        // Act
        const attempt = store.ingest(Readable.from(failing()));
        // Assert
        await expect(attempt).rejects.toThrow('disk went away');
        expect(await store.list('')).toEqual([]);
      });

      it('throws InvalidInput and stores nothing when the stream yields strings', async () => {
        // Act
        const attempt = store.ingest(Readable.from(['not', 'bytes']));
        // Assert
        await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
        expect(await store.list('')).toEqual([]);
      });

      it('throws InvalidInput when the source is not a stream', async () => {
        // Act
        const attempt = store.ingest({} as Readable);
        // Assert
        await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
      });
    });

    describe('putImmutable', () => {
      it('returns created true and stores the bytes when the key is new', async () => {
        // Act
        const result = await store.putImmutable('releases/p/r1-abcdef0.json', '{"v":1}', 'application/json');
        // Assert
        expect(result).toEqual({ created: true });
        expect(await store.getText('releases/p/r1-abcdef0.json')).toBe('{"v":1}');
        expect(await store.exists('releases/p/r1-abcdef0.json')).toBe(true);
      });

      it('returns created false when the same bytes are written again, as string or bytes', async () => {
        // Arrange
        await store.putImmutable('releases/p/a.json', '{"v":1}');
        // Act
        const again = await store.putImmutable('releases/p/a.json', new TextEncoder().encode('{"v":1}'));
        // Assert
        expect(again).toEqual({ created: false });
      });

      it('throws ImmutableConflict and keeps the original when different bytes are written', async () => {
        // Arrange
        await store.putImmutable('releases/p/a.json', '{"v":1}');
        // Act
        const attempt = store.putImmutable('releases/p/a.json', '{"v":2}');
        // Assert
        await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.ImmutableConflict' });
        expect(await store.getText('releases/p/a.json')).toBe('{"v":1}');
      });

      it('lets exactly one writer win when two different bodies race for one key', async () => {
        // Act
        const results = await Promise.allSettled([
          store.putImmutable('releases/p/seq/1', 'run-a'),
          store.putImmutable('releases/p/seq/1', 'run-b'),
        ]);
        // Assert
        const won = results.filter((r) => r.status === 'fulfilled' && r.value.created);
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(['run-a', 'run-b']).toContain(await store.getText('releases/p/seq/1'));
      });

      it('throws InvalidInput when the key is under blobs/, which only ingest writes', async () => {
        // Act
        const attempt = store.putImmutable(`blobs/sha256/${sha256('x')}`, 'not x');
        // Assert
        await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
        expect(await store.list('')).toEqual([]);
      });

      it('throws InvalidInput when the body is neither a string nor bytes', async () => {
        // Act
        const attempt = store.putImmutable('releases/p/a.json', { v: 1 } as unknown as string);
        // Assert
        await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
        expect(await store.exists('releases/p/a.json')).toBe(false);
      });
    });

    describe('pointers', () => {
      it('returns the latest value when a pointer is overwritten', async () => {
        // Arrange
        await store.putPointer('envs/p/test.json', { version: 'r1-abcdef0' });
        // Act
        await store.putPointer('envs/p/test.json', { version: 'r2-abcdef1' });
        // Assert
        expect(await store.getPointer('envs/p/test.json')).toEqual({ version: 'r2-abcdef1' });
      });

      it('returns undefined when the pointer does not exist', async () => {
        // Act + Assert
        expect(await store.getPointer('envs/p/none.json')).toBeUndefined();
      });

      it('throws ImmutableConflict and keeps the object when a pointer targets an immutable key', async () => {
        // Arrange
        await store.putImmutable('releases/p/r1.json', '{"v":1}');
        // Act
        const attempt = store.putPointer('releases/p/r1.json', { v: 2 });
        // Assert
        await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.ImmutableConflict' });
        expect(await store.getText('releases/p/r1.json')).toBe('{"v":1}');
      });

      it('throws InvalidInput and writes nothing when the value is not JSON', async () => {
        // Act
        const attempt = store.putPointer('envs/p/test.json', undefined);
        // Assert
        await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
        expect(await store.exists('envs/p/test.json')).toBe(false);
      });
    });

    describe('reads', () => {
      it('throws NotFound when opening a missing object', async () => {
        // Act + Assert
        await expect(store.open('releases/p/missing.json')).rejects.toMatchObject({
          name: 'Tollgate.NotFound',
        });
      });

      it('returns undefined and false when reading a missing object', async () => {
        // Act + Assert
        expect(await store.getText('releases/p/missing.json')).toBeUndefined();
        expect(await store.exists('releases/p/missing.json')).toBe(false);
      });

      it('returns keys in lexicographic order under a partial prefix', async () => {
        // Arrange
        for (const key of [
          'r/p/seq/0000000010',
          'r/p/seq/0000000002',
          'r/p/seq/0000000001',
          'r/q/seq/0000000001',
          'r/p/x.json',
        ])
          await store.putImmutable(key, key);
        // Act
        const seq = await store.list('r/p/seq/000000000');
        const all = await store.list('');
        // Assert
        expect(seq).toEqual(['r/p/seq/0000000001', 'r/p/seq/0000000002']);
        expect(all).toEqual([
          'r/p/seq/0000000001',
          'r/p/seq/0000000002',
          'r/p/seq/0000000010',
          'r/p/x.json',
          'r/q/seq/0000000001',
        ]);
      });

      it('throws InvalidInput when the list prefix climbs out of the store', async () => {
        // Act + Assert
        await expect(store.list('../')).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
      });
    });

    describe('key validation', () => {
      for (const [what, key] of BAD_KEYS) {
        it(`throws InvalidInput and writes nothing when the key has ${what}`, async () => {
          // Act
          // Thunks, so each call starts only after the previous rejection is handled; a list of
          // started promises would leave later rejections unhandled while the first is awaited.
          const attempts = [
            () => store.putImmutable(key, 'x'),
            () => store.putPointer(key, { x: 1 }),
            () => store.open(key),
            () => store.getText(key),
            () => store.exists(key),
          ];
          // Assert
          for (const attempt of attempts)
            await expect(attempt()).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
          expect(await store.list('')).toEqual([]);
        });
      }
    });
  });
}
