import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InboxNotifier } from '../../../../../../functions/shared/adapters/local/inbox-notifier.js';
import { ManualClock } from '../../../../../../functions/shared/clock.js';

describe('InboxNotifier', () => {
  it('appends one JSON line per notice with the clock time, keeping earlier lines', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-inbox-'));
    const clock = new ManualClock('2026-01-01T00:00:00.000Z');
    const inbox = new InboxNotifier(dir, clock);
    // Act
    await inbox.notify({ subject: 'one', body: 'b1', data: { n: 1 } });
    clock.advance(1000);
    await new InboxNotifier(dir, clock).notify({ subject: 'two', body: 'b2', data: { n: 2 } });
    // Assert
    const lines = readFileSync(join(dir, 'notifications.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { at: '2026-01-01T00:00:00.000Z', subject: 'one', body: 'b1', data: { n: 1 } },
      { at: '2026-01-01T00:00:01.000Z', subject: 'two', body: 'b2', data: { n: 2 } },
    ]);
  });

  it('refuses a notice with a non-http link and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-inbox-'));
    const inbox = new InboxNotifier(dir, new ManualClock());
    await expect(
      inbox.notify({ subject: 's', body: '', link: 'javascript:alert(1)', data: {} }),
    ).rejects.toThrow('notification link must be an http(s) URL');
    expect(() => readFileSync(join(dir, 'notifications.jsonl'))).toThrow(/ENOENT/);
  });
});
