import type { FileHandle } from 'node:fs/promises';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DirLedger } from '../../../../../../functions/shared/adapters/local/dir-ledger.js';
import type { LedgerEntry } from '../../../../../../functions/shared/ports/ledger.js';

// The ledger's own fs calls, with a switch that makes the next fsync fail as a full disk would.
const inject = vi.hoisted(() => ({ failNextSync: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>): Promise<FileHandle> => {
      const handle = await real.open(...args);
      if (!inject.failNextSync) return handle;
      inject.failNextSync = false;
      handle.sync = () =>
        Promise.reject(
          Object.assign(new Error('ENOSPC: no space left on device, fsync'), { code: 'ENOSPC' }),
        );
      return handle;
    },
  };
});

const entry = (key: string): LedgerEntry => ({
  kind: 'release',
  pipeline: 'orders',
  at: '2026-01-01T00:00:00.000Z',
  idempotencyKey: key,
  data: { version: key },
});

describe('DirLedger on a full disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-ledger-full-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fails an append whose fsync hit ENOSPC, keeps nothing of it, and records the retry once', async () => {
    // Arrange
    const ledger = new DirLedger(dir);
    await ledger.append(entry('r1'));
    inject.failNextSync = true;
    // Act
    const failed = await ledger.append(entry('r2')).then(
      () => undefined,
      (e: Error) => e,
    );
    const retried = await ledger.append(entry('r2'));
    // Assert
    expect(failed?.message).toMatch(
      /^could not append to the ledger .* \(ENOSPC\); nothing was recorded, free space and retry$/,
    );
    expect(retried).toEqual({ seq: 2, created: true });
    expect((await new DirLedger(dir).query()).map((e) => [e.seq, e.idempotencyKey])).toEqual([
      [1, 'r1'],
      [2, 'r2'],
    ]);
    expect((await readFile(join(dir, 'ledger.jsonl'), 'utf8')).match(/"r2"/g)).toHaveLength(2); // key + data.version
  });
});
