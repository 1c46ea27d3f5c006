import { InvalidInputError, TollgateError } from '../errors.js';
import type { Notification, Notifier } from '../ports/notifier.js';

/**
 * Sends one notice through several notifiers (SNS and a chat webhook). Every notifier is tried; if
 * any failed, the error names which, so a broken webhook cannot hide behind a working topic.
 */
export class FanOutNotifier implements Notifier {
  constructor(
    private readonly targets: ReadonlyArray<{ readonly name: string; readonly notifier: Notifier }>,
  ) {
    if (!Array.isArray(targets) || targets.length === 0)
      throw new InvalidInputError('FanOutNotifier needs at least one notifier');
  }

  async notify(notification: Notification): Promise<void> {
    const results = await Promise.allSettled(this.targets.map((t) => t.notifier.notify(notification)));
    const failed = results
      .map((r, i) =>
        r.status === 'rejected' ? `${this.targets[i].name}: ${(r.reason as Error).message}` : undefined,
      )
      .filter(Boolean);
    if (failed.length) throw new TollgateError(`notification failed for ${failed.join('; ')}`);
  }
}
