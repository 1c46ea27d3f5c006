import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventOutbox, type OutboxRecord } from '../../../../runtime/bus/event-outbox.js';

const delivered = (id: string): OutboxRecord => ({ t: 'delivered', at: 1, id, rule: 'r', attempt: 1 });

describe('EventOutbox on a full disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-outbox-full-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails the append cut short by ENOSPC, takes the next one, and reopens undamaged', async () => {
    // Arrange: the disk fills half-way through the second append (a torn line)
    const { outbox } = await EventOutbox.open(dir);
    await outbox.append([delivered('one')]);
    const probe = await open(join(dir, 'probe'), 'w');
    await probe.close();
    const proto = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> };
    const real = proto.write;
    vi.spyOn(proto, 'write').mockImplementationOnce(async function (this: unknown, ...args: unknown[]) {
      const text = args[0] as string;
      await real.call(this, text.slice(0, Math.floor(text.length / 2)));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    // Act
    const full = await outbox.append([delivered('two')]).then(
      () => undefined,
      (e: Error) => e,
    );
    await outbox.append([delivered('three')]);
    await outbox.close();
    // Assert
    expect(full?.message).toMatch(
      /^could not write to the event outbox .* \(ENOSPC\); the event was not accepted, retry$/,
    );
    const { outbox: reopened, records } = await EventOutbox.open(dir);
    expect(records.map((r) => (r as { id: string }).id)).toEqual(['one', 'three']);
    await reopened.close();
  });
});
