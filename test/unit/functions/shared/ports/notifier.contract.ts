import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Notification, Notifier } from '../../../../../functions/shared/ports/notifier.js';

/** A notice as its reader finds it at the destination (inbox line, topic message, chat post). */
export interface DeliveredNotice {
  readonly subject: string;
  /** Everything the reader sees besides the subject: the body, then the link if there was one. */
  readonly text: string;
}

export interface NotifierFixture {
  readonly notifier: Notifier;
  /**
   * Every notice the destination holds, read back through the destination's own interface (the
   * inbox file, a queue subscribed to the topic, the receiving HTTP server), never from the adapter.
   */
  readonly delivered: () => Promise<DeliveredNotice[]>;
  readonly cleanup?: () => Promise<void>;
}

const notice = (n: number, over: Partial<Notification> = {}): Notification => ({
  subject: `orders: approve r${n}-1a2b3c4 into prod`,
  body: `r${n} waits for approval into prod.`,
  link: `https://console.example/approvals/apr-${n}`,
  data: { kind: 'approval-requested', pipeline: 'orders', environment: 'prod', approvalId: `apr-${n}` },
  ...over,
});

const BAD: Array<[string, unknown, RegExp]> = [
  ['has no subject', notice(1, { subject: '  ' }), /notification needs a subject/],
  ['has a body that is not a string', notice(1, { body: 7 as never }), /notification body must be a string/],
  ['links to something that is not http(s)', notice(1, { link: 'javascript:alert(1)' }), /http\(s\) URL/],
  ['has no data object', notice(1, { data: [] as never }), /notification data must be an object/],
];

/** What the approval flow relies on from every Notifier: each notice reaches its readers once, intact. */
export function notifierContract(adapter: string, setup: () => Promise<NotifierFixture>): void {
  describe(`Notifier contract: ${adapter}`, () => {
    let fixture: NotifierFixture;
    beforeEach(async () => {
      fixture = await setup();
    });
    afterEach(async () => {
      await fixture?.cleanup?.();
    });

    it('delivers the subject, the body and the link of a notice', async () => {
      // Act
      await fixture.notifier.notify(notice(1));
      // Assert
      const delivered = await fixture.delivered();
      expect(delivered).toHaveLength(1);
      expect(delivered[0].subject).toBe(notice(1).subject);
      expect(delivered[0].text).toContain(notice(1).body);
      expect(delivered[0].text).toContain(notice(1).link);
      expect(delivered[0].text.indexOf(notice(1).body)).toBeLessThan(
        delivered[0].text.indexOf(notice(1).link as string),
      );
    });

    it('delivers a notice without a link with its body only', async () => {
      // Act
      await fixture.notifier.notify(notice(2, { link: undefined }));
      // Assert
      const delivered = await fixture.delivered();
      expect(delivered.map((d) => d.subject)).toEqual([notice(2).subject]);
      expect(delivered[0].text.trim()).toBe(notice(2).body);
    });

    it('delivers each of several notices exactly once', async () => {
      // Act
      for (const n of [1, 2, 3]) await fixture.notifier.notify(notice(n));
      // Assert
      const subjects = (await fixture.delivered()).map((d) => d.subject).sort();
      expect(subjects).toEqual([1, 2, 3].map((n) => notice(n).subject).sort());
    });

    for (const [why, bad, message] of BAD) {
      it(`throws InvalidInput and delivers nothing when the notice ${why}`, async () => {
        // Act
        const attempt = fixture.notifier.notify(bad as Notification);
        // Assert
        await expect(attempt).rejects.toMatchObject({
          name: 'Tollgate.InvalidInput',
          message: expect.stringMatching(message),
        });
        expect(await fixture.delivered()).toEqual([]);
      });
    }
  });
}
