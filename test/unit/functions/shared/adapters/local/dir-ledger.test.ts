import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirLedger } from '../../../../../../functions/shared/adapters/local/dir-ledger.js';
import type { LedgerEntry } from '../../../../../../functions/shared/ports/ledger.js';

const entry = (n: number, over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  kind: 'promotion',
  pipeline: 'orders',
  at: '2026-01-01T00:00:00.000Z',
  environment: 'prod',
  releaseVersion: `r${n}`,
  data: { n },
  idempotencyKey: `k${n}`,
  ...over,
});

describe('DirLedger', () => {
  it('assigns increasing sequence numbers and reads entries back in order from a new instance', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-ledger-'));
    const ledger = new DirLedger(dir);
    // Act
    const results = await Promise.all([1, 2, 3].map((n) => ledger.append(entry(n))));
    const reread = await new DirLedger(dir).query();
    // Assert
    expect(results.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(reread.map((e) => e.releaseVersion)).toEqual(['r1', 'r2', 'r3']);
  });

  it('ignores a torn last line left by a crash and keeps appending after it', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-ledger-'));
    await new DirLedger(dir).append(entry(1));
    appendFileSync(join(dir, 'ledger.jsonl'), '\n{"kind":"promotion","pipel');
    // Act
    const ledger = new DirLedger(dir);
    await ledger.append(entry(2));
    // Assert
    expect((await ledger.query()).map((e) => [e.seq, e.releaseVersion])).toEqual([
      [1, 'r1'],
      [2, 'r2'],
    ]);
  });

  it('refuses an entry with an unknown kind and writes nothing', async () => {
    const ledger = new DirLedger(mkdtempSync(join(tmpdir(), 'tollgate-ledger-')));
    await expect(ledger.append(entry(1, { kind: 'deleted' as never }))).rejects.toThrow(
      /kind "deleted" is not one of/,
    );
    await expect(ledger.append(entry(1, { at: 'yesterday' }))).rejects.toThrow(/ISO 8601/);
    expect(await ledger.query()).toEqual([]);
  });

  it('filters by environment, kind and release', async () => {
    const ledger = new DirLedger(mkdtempSync(join(tmpdir(), 'tollgate-ledger-')));
    await ledger.append(entry(1));
    await ledger.append(entry(2, { environment: 'test' }));
    await ledger.append(entry(3, { kind: 'rollback' }));
    expect(
      (await ledger.query({ environment: 'prod', kinds: ['promotion'] })).map((e) => e.releaseVersion),
    ).toEqual(['r1']);
    expect((await ledger.query({ releaseVersion: 'r3' })).map((e) => e.kind)).toEqual(['rollback']);
  });
});
