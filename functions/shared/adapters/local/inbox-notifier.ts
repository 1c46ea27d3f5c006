import { mkdirSync } from 'node:fs';
import { appendFile, open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { assertNotification } from '../../approvals/notification-check.js';
import type { Clock } from '../../clock.js';
import { InvalidInputError } from '../../errors.js';
import type { Notification, Notifier } from '../../ports/notifier.js';

/**
 * The console inbox: `.tollgate/inbox/notifications.jsonl`, append-only and fsync'd, one
 * notification per line with the time it was sent. The console reads it; nothing rewrites it.
 */
export class InboxNotifier implements Notifier {
  readonly file: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    rootDir: string,
    private readonly clock: Clock,
  ) {
    if (typeof rootDir !== 'string' || !rootDir.trim())
      throw new InvalidInputError('InboxNotifier needs a directory');
    if (!clock) throw new InvalidInputError('InboxNotifier needs a clock');
    const root = resolve(rootDir);
    mkdirSync(root, { recursive: true });
    this.file = join(root, 'notifications.jsonl');
  }

  notify(notification: Notification): Promise<void> {
    try {
      assertNotification(notification);
    } catch (error) {
      return Promise.reject(error);
    }
    const line = JSON.stringify({ at: this.clock.now().toISOString(), ...notification });
    const next = this.chain.catch(() => undefined).then(() => this.write(line));
    this.chain = next;
    return next;
  }

  private async write(line: string): Promise<void> {
    // Leading newline: a line torn by a crash never merges with the next one.
    await appendFile(this.file, `\n${line}`, { mode: 0o600 });
    const handle = await open(this.file, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
