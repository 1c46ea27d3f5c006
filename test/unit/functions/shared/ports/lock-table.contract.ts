import { describe, expect, it } from 'vitest';
import type { LockTable } from '../../../../../functions/shared/ports/lock-table.js';

export interface LockTableFixture {
  readonly table: LockTable;
  /** A second handle on the same storage, as another process or Lambda container would have. */
  readonly other: LockTable;
}

/** The compare-and-swap behaviour the concurrency guard depends on, for every LockTable adapter. */
export function lockTableContract(name: string, setup: () => Promise<LockTableFixture>): void {
  describe(`${name} (LockTable contract)`, () => {
    it('returns undefined when the key was never written', async () => {
      // Arrange
      const { table } = await setup();
      // Act
      const record = await table.get('guard-orders');
      // Assert
      expect(record).toBeUndefined();
    });

    it('creates at version 1 when expectedVersion is 0 and reads the value back from another handle', async () => {
      // Arrange
      const { table, other } = await setup();
      // Act
      const written = await table.put('guard-orders', { holder: 'run-1', queue: [] }, 0);
      // Assert
      expect(written).toEqual({ version: 1 });
      expect(await other.get('guard-orders')).toEqual({ value: { holder: 'run-1', queue: [] }, version: 1 });
    });

    it('advances the version on each conditional write', async () => {
      // Arrange
      const { table } = await setup();
      await table.put('k', 1, 0);
      // Act
      const second = await table.put('k', 2, 1);
      const third = await table.put('k', 3, 2);
      // Assert
      expect([second.version, third.version]).toEqual([2, 3]);
      expect(await table.get('k')).toEqual({ value: 3, version: 3 });
    });

    it('throws LockConflictError and keeps the stored value when expectedVersion is stale', async () => {
      // Arrange
      const { table, other } = await setup();
      await table.put('k', 'first', 0);
      await other.put('k', 'second', 1);
      // Act
      const stale = table.put('k', 'lost', 1);
      // Assert
      await expect(stale).rejects.toMatchObject({ name: 'Tollgate.LockConflict' });
      expect(await table.get('k')).toEqual({ value: 'second', version: 2 });
    });

    it('throws LockConflictError when creating a key that already exists', async () => {
      // Arrange
      const { table } = await setup();
      await table.put('k', 'first', 0);
      // Act
      const again = table.put('k', 'second', 0);
      // Assert
      await expect(again).rejects.toMatchObject({ name: 'Tollgate.LockConflict' });
      expect((await table.get('k'))?.value).toBe('first');
    });

    it('lets exactly one of two racing writers win from the same version', async () => {
      // Arrange
      const { table, other } = await setup();
      await table.put('k', 0, 0);
      // Act
      const results = await Promise.allSettled([table.put('k', 'a', 1), other.put('k', 'b', 1)]);
      // Assert
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toMatchObject({ name: 'Tollgate.LockConflict' });
      expect((await table.get('k'))?.version).toBe(2);
    });

    it('refuses a malformed key without writing anything', async () => {
      // Arrange
      const { table } = await setup();
      // Act
      const bad = Promise.resolve().then(() => table.put('../escape', 1, 0));
      // Assert
      await expect(bad).rejects.toThrow(/lock key "..\/escape" must match/);
      await expect(Promise.resolve().then(() => table.get('../escape'))).rejects.toThrow(/must match/);
    });

    it('refuses a negative or fractional expectedVersion without writing anything', async () => {
      // Arrange
      const { table } = await setup();
      // Act
      const negative = () => Promise.resolve().then(() => table.put('k', 1, -1));
      const fractional = () => Promise.resolve().then(() => table.put('k', 1, 0.5));
      // Assert (one pending rejection at a time, so none is ever unhandled)
      await expect(negative()).rejects.toThrow(/expectedVersion must be a non-negative integer/);
      await expect(fractional()).rejects.toThrow(/expectedVersion must be a non-negative integer/);
      expect(await table.get('k')).toBeUndefined();
    });
    it('writes a record conditioned on another one only while that one is still at the version read', async () => {
      // Arrange
      const { table, other } = await setup();
      await table.put('guard-orders', { holder: 'run-1' }, 0);
      // Act
      const registered = await table.put('guard-orders.w.1', { run: 2 }, 0, {
        key: 'guard-orders',
        version: 1,
      });
      await other.put('guard-orders', {}, 1);
      const late = table.put('guard-orders.w.2', { run: 3 }, 0, { key: 'guard-orders', version: 1 });
      // Assert
      expect(registered).toEqual({ version: 1 });
      await expect(late).rejects.toMatchObject({ name: 'Tollgate.LockConflict' });
      expect(await table.get('guard-orders.w.2')).toBeUndefined();
    });

    it('conditions a write on another record being absent with version 0', async () => {
      // Arrange
      const { table } = await setup();
      // Act
      await table.put('guard-a.w.1', 'first', 0, { key: 'guard-a', version: 0 });
      await table.put('guard-a', 'now held', 0);
      const late = table.put('guard-a.w.2', 'second', 0, { key: 'guard-a', version: 0 });
      // Assert
      await expect(late).rejects.toMatchObject({ name: 'Tollgate.LockConflict' });
      expect((await table.get('guard-a.w.1'))?.value).toBe('first');
    });

    it('deletes at the expected version only', async () => {
      // Arrange
      const { table, other } = await setup();
      await table.put('k', 'a', 0);
      await table.put('k', 'b', 1);
      // Act
      const stale = table.delete('k', 1);
      await expect(stale).rejects.toMatchObject({ name: 'Tollgate.LockConflict' });
      await other.delete('k', 2);
      // Assert
      expect(await table.get('k')).toBeUndefined();
      await expect(table.delete('k', 2)).rejects.toMatchObject({ name: 'Tollgate.LockConflict' });
    });

    it('lists the records under a prefix in key order, from another handle', async () => {
      // Arrange
      const { table, other } = await setup();
      await table.put('guard-orders.w.002', 'second', 0);
      await table.put('guard-orders', 'lock', 0);
      await table.put('guard-orders.w.001', 'first', 0);
      await table.put('guard-other.w.001', 'elsewhere', 0);
      // Act
      const listed = await other.list<string>('guard-orders.w.');
      // Assert
      expect(listed).toEqual([
        { key: 'guard-orders.w.001', value: 'first', version: 1 },
        { key: 'guard-orders.w.002', value: 'second', version: 1 },
      ]);
      expect(await other.list('guard-none.')).toEqual([]);
    });

    it('refuses a write conditioned on its own key without writing anything', async () => {
      // Arrange
      const { table } = await setup();
      // Act
      const self = Promise.resolve().then(() => table.put('k', 1, 0, { key: 'k', version: 0 }));
      // Assert
      await expect(self).rejects.toThrow(/cannot be conditioned on its own key/);
      expect(await table.get('k')).toBeUndefined();
    });
  });
}
