import { describe, expect, it } from 'vitest';
import type { Ledger, LedgerEntry } from '../../../../../functions/shared/ports/ledger.js';

export interface LedgerFixture {
  readonly ledger: Ledger;
  /** A new instance on the same storage, as a restarted runtime or another Lambda container would open. */
  readonly reopen: () => Ledger;
}

export const ledgerEntry = (n: number, over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  kind: 'promotion',
  pipeline: 'orders',
  at: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z`,
  executionArn: `arn:aws:states:eu-west-1:123456789012:execution:orders:run-${n}`,
  environment: 'prod',
  releaseVersion: `r${n}-abcdef${n % 10}`,
  actor: 'tollgate',
  data: { n, nested: { list: [1, 'two', null] } },
  idempotencyKey: `run-${n}#Promote`,
  ...over,
});

/** The append-only, idempotent, filterable behaviour every Ledger adapter must have. */
export function ledgerContract(name: string, setup: () => Promise<LedgerFixture>): void {
  describe(`${name} (Ledger contract)`, () => {
    it('returns no entries when nothing was appended', async () => {
      // Arrange
      const { ledger } = await setup();
      // Act
      const entries = await ledger.query();
      // Assert
      expect(entries).toEqual([]);
    });

    it('assigns increasing positions and reads every field back in append order from a new instance', async () => {
      // Arrange
      const { ledger, reopen } = await setup();
      // Act
      const results: Array<{ seq: number; created: boolean }> = [];
      for (const n of [1, 2, 3]) results.push(await ledger.append(ledgerEntry(n)));
      const reread = await reopen().query();
      // Assert
      expect(results.map((r) => r.created)).toEqual([true, true, true]);
      expect(results.map((r) => r.seq)).toEqual([...results.map((r) => r.seq)].sort((a, b) => a - b));
      expect(new Set(results.map((r) => r.seq)).size).toBe(3);
      expect(reread).toEqual([1, 2, 3].map((n, i) => ({ ...ledgerEntry(n), seq: results[i].seq })));
    });

    it('gives concurrent appends distinct positions and loses none of them', async () => {
      // Arrange
      const { ledger, reopen } = await setup();
      // Act
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => ledger.append(ledgerEntry(i + 1))),
      );
      const reread = await reopen().query();
      // Assert
      expect(new Set(results.map((r) => r.seq)).size).toBe(12);
      expect(reread.map((e) => e.data.n).sort((a, b) => Number(a) - Number(b))).toEqual(
        Array.from({ length: 12 }, (_, i) => i + 1),
      );
    });

    it('returns the first position with created false when the idempotency key repeats', async () => {
      // Arrange
      const { ledger, reopen } = await setup();
      const first = await ledger.append(ledgerEntry(1));
      // Act
      const again = await ledger.append(
        ledgerEntry(1, { at: '2026-02-02T00:00:00.000Z', data: { retry: true } }),
      );
      const fromOther = await reopen().append(ledgerEntry(1, { data: { retry: 2 } }));
      // Assert
      expect(again).toEqual({ seq: first.seq, created: false });
      expect(fromOther).toEqual({ seq: first.seq, created: false });
      expect((await reopen().query()).map((e) => e.data)).toEqual([ledgerEntry(1).data]);
    });

    it('shows entries appended after a query on the next query of the same instance', async () => {
      // Arrange
      const { ledger, reopen } = await setup();
      await ledger.append(ledgerEntry(1));
      const reader = reopen();
      await reader.query();
      // Act
      await ledger.append(ledgerEntry(2));
      const later = await reader.query();
      // Assert
      expect(later.map((e) => e.data.n)).toEqual([1, 2]);
    });

    it('filters by pipeline, kinds, environment, release and run', async () => {
      // Arrange
      const { ledger } = await setup();
      await ledger.append(ledgerEntry(1));
      await ledger.append(ledgerEntry(2, { environment: 'test' }));
      await ledger.append(ledgerEntry(3, { kind: 'rollback' }));
      await ledger.append(ledgerEntry(4, { pipeline: 'billing' }));
      // Act
      const prodPromotions = await ledger.query({
        pipeline: 'orders',
        environment: 'prod',
        kinds: ['promotion'],
      });
      const byRelease = await ledger.query({ releaseVersion: ledgerEntry(3).releaseVersion });
      const byRun = await ledger.query({ executionArn: ledgerEntry(2).executionArn });
      // Assert
      expect(prodPromotions.map((e) => e.data.n)).toEqual([1]);
      expect(byRelease.map((e) => e.kind)).toEqual(['rollback']);
      expect(byRun.map((e) => e.environment)).toEqual(['test']);
    });

    it('refuses an entry of an unknown kind and writes nothing', async () => {
      // Arrange
      const { ledger, reopen } = await setup();
      // Act
      const append = ledger.append(ledgerEntry(1, { kind: 'deleted' as never }));
      // Assert
      await expect(append).rejects.toThrow(/kind "deleted" is not one of/);
      expect(await reopen().query()).toEqual([]);
    });

    it('refuses an entry whose time is not ISO 8601 and writes nothing', async () => {
      const { ledger, reopen } = await setup();
      await expect(ledger.append(ledgerEntry(1, { at: 'yesterday' }))).rejects.toThrow(/ISO 8601/);
      expect(await reopen().query()).toEqual([]);
    });

    it('refuses an entry without an idempotency key and writes nothing', async () => {
      const { ledger, reopen } = await setup();
      await expect(ledger.append(ledgerEntry(1, { idempotencyKey: '' }))).rejects.toThrow(/idempotencyKey/);
      expect(await reopen().query()).toEqual([]);
    });

    it('refuses an entry whose data is not an object and writes nothing', async () => {
      const { ledger, reopen } = await setup();
      await expect(ledger.append(ledgerEntry(1, { data: [1] as never }))).rejects.toThrow(
        /data must be an object/,
      );
      expect(await reopen().query()).toEqual([]);
    });

    it('refuses an entry without a pipeline and writes nothing', async () => {
      const { ledger, reopen } = await setup();
      await expect(ledger.append(ledgerEntry(1, { pipeline: '' }))).rejects.toThrow(/needs a pipeline/);
      expect(await reopen().query()).toEqual([]);
    });
  });
}
