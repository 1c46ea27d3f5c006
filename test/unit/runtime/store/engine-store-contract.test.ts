import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineStore, StoreRecord } from '../../../../runtime/store/engine-store.js';
import { FileLogStore } from '../../../../runtime/store/file-log-store.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';

async function collect(store: EngineStore): Promise<StoreRecord[]> {
  const out: StoreRecord[] = [];
  for await (const record of store.replay()) out.push(record);
  return out;
}

const dirs: string[] = [];
const factories: Array<[string, () => Promise<EngineStore>]> = [
  ['MemoryStore', async () => new MemoryStore()],
  [
    'FileLogStore',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tollgate-store-'));
      dirs.push(dir);
      return FileLogStore.open(dir);
    },
  ],
];

describe.each(factories)('%s (EngineStore contract)', (_name, createStore) => {
  const open: EngineStore[] = [];
  const make = async () => {
    const store = await createStore();
    open.push(store);
    return store;
  };

  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('returns nothing when nothing was appended', async () => {
    // Arrange
    const store = await make();
    // Act
    const records = await collect(store);
    // Assert
    expect(records).toEqual([]);
  });

  it('returns records in append order when calls are sequential', async () => {
    // Arrange
    const store = await make();
    // Act
    await store.append([{ t: 'a', n: 1 }]);
    await store.append([
      { t: 'b', n: 2 },
      { t: 'c', n: 3, nested: { list: [1, 'x', null], text: 'ünïcødé ✓' } },
    ]);
    // Assert
    expect(await collect(store)).toEqual([
      { t: 'a', n: 1 },
      { t: 'b', n: 2 },
      { t: 'c', n: 3, nested: { list: [1, 'x', null], text: 'ünïcødé ✓' } },
    ]);
  });

  it('returns records intact whose text takes 1 to 4 bytes a character in UTF-8, a lone surrogate too', async () => {
    // Arrange: the file store encodes each record's text straight into its frame.
    const store = await make();
    const text = 'a é ✓ 😀 \ud800 end';
    // Act
    await store.append([
      { t: 'u', text },
      { t: 'v', text: text.repeat(1000) },
    ]);
    // Assert
    expect(await collect(store)).toEqual([
      { t: 'u', text },
      { t: 'v', text: text.repeat(1000) },
    ]);
  });

  it('returns records in call order when many appends run concurrently', async () => {
    // Arrange
    const store = await make();
    // Act
    await Promise.all(Array.from({ length: 200 }, (_, n) => store.append([{ t: 'e', n }])));
    // Assert
    expect((await collect(store)).map((r) => r.n)).toEqual(Array.from({ length: 200 }, (_, n) => n));
  });

  it('returns copies when a caller mutates a record after appending it', async () => {
    // Arrange
    const store = await make();
    const record = { t: 'm', value: 'original' };
    await store.append([record]);
    // Act
    record.value = 'changed';
    const first = await collect(store);
    (first[0] as unknown as { value: string }).value = 'changed again';
    // Assert
    expect(await collect(store)).toEqual([{ t: 'm', value: 'original' }]);
  });

  it('replaces everything with the live records when compacted', async () => {
    // Arrange
    const store = await make();
    await store.append([
      { t: 'old', n: 1 },
      { t: 'old', n: 2 },
    ]);
    // Act
    await store.compact([{ t: 'live', n: 2 }]);
    await store.append([{ t: 'after', n: 3 }]);
    // Assert
    expect(await collect(store)).toEqual([
      { t: 'live', n: 2 },
      { t: 'after', n: 3 },
    ]);
  });

  it('keeps appends ordered around a compaction when they are issued concurrently', async () => {
    // Arrange
    const store = await make();
    // Act
    await Promise.all([
      store.append([{ t: 'before', n: 1 }]),
      store.compact([{ t: 'live', n: 0 }]),
      store.append([{ t: 'after', n: 2 }]),
    ]);
    // Assert
    expect(await collect(store)).toEqual([
      { t: 'live', n: 0 },
      { t: 'after', n: 2 },
    ]);
  });

  it('throws InvalidRecordError and writes nothing when records is not an array', async () => {
    // Arrange
    const store = await make();
    // Act
    const attempt = store.append({ t: 'x' } as unknown as StoreRecord[]);
    // Assert
    await expect(attempt).rejects.toThrow(/append: expected an array of records, got object/);
    expect(await collect(store)).toEqual([]);
  });

  it('throws InvalidRecordError and writes none of the call when one record lacks a type', async () => {
    // Arrange
    const store = await make();
    // Act
    const attempt = store.append([{ t: 'ok' }, { n: 1 } as unknown as StoreRecord]);
    // Assert
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidRecordError',
      message: 'append: record 1 must have a non-empty string "t" (its record type)',
    });
    expect(await collect(store)).toEqual([]);
  });

  it('throws InvalidRecordError when a record is not an object', async () => {
    // Arrange
    const store = await make();
    // Act
    const attempt = store.append([null as unknown as StoreRecord]);
    // Assert
    await expect(attempt).rejects.toThrow('append: record 0 must be a JSON object, got null');
  });

  it('throws InvalidRecordError when a record cannot be serialised', async () => {
    // Arrange
    const store = await make();
    const circular: Record<string, unknown> = { t: 'loop' };
    circular.self = circular;
    // Act
    const attempt = store.append([circular as StoreRecord, { t: 'big', n: 10n } as unknown as StoreRecord]);
    // Assert
    await expect(attempt).rejects.toThrow(/append: record 0 \(t=loop\) is not serialisable as JSON/);
    expect(await collect(store)).toEqual([]);
  });

  it('throws InvalidRecordError and keeps the old records when compact gets a bad record', async () => {
    // Arrange
    const store = await make();
    await store.append([{ t: 'keep' }]);
    // Act
    const attempt = store.compact([{ t: '' }]);
    // Assert
    await expect(attempt).rejects.toThrow(
      'compact: record 0 must have a non-empty string "t" (its record type)',
    );
    expect(await collect(store)).toEqual([{ t: 'keep' }]);
  });

  it('throws StoreClosedError when used after close', async () => {
    // Arrange
    const store = await make();
    await store.close();
    // Act
    const append = () => store.append([{ t: 'late' }]);
    const compact = () => store.compact([]);
    // Assert (one pending rejection at a time, so none is ever unhandled)
    await expect(append()).rejects.toMatchObject({ name: 'StoreClosedError' });
    await expect(compact()).rejects.toMatchObject({ name: 'StoreClosedError' });
    await expect(collect(store)).rejects.toMatchObject({ name: 'StoreClosedError' });
  });
});
