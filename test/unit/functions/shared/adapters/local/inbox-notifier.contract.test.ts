import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { InboxNotifier } from '../../../../../../functions/shared/adapters/local/inbox-notifier.js';
import { ManualClock } from '../../../../../../functions/shared/clock.js';
import { notifierContract } from '../../ports/notifier.contract.js';

describe('InboxNotifier', () => {
  notifierContract('InboxNotifier', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-inbox-'));
    return {
      notifier: new InboxNotifier(dir, new ManualClock('2026-01-01T00:00:00.000Z')),
      // What the console reads: the inbox file's lines (a torn line would fail JSON.parse here).
      delivered: async () => {
        const text = await readFile(join(dir, 'notifications.jsonl'), 'utf8').catch(() => '');
        return text
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { subject: string; body: string; link?: string })
          .map((n) => ({ subject: n.subject, text: [n.body, n.link].filter(Boolean).join('\n') }));
      },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  });
});
