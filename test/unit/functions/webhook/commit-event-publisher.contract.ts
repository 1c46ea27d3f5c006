import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommitPushedDetail } from '../../../../functions/webhook/commit-event.js';
import type { CommitEventPublisher } from '../../../../functions/webhook/webhook.js';

/** An event as a rule's target receives it: EventBridge's envelope. */
export interface MatchedEvent {
  /** The rule that matched: the id infra/event-patterns.ts gives the pattern. */
  readonly rule: string;
  readonly id: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: unknown;
}

export interface CommitEventPublisherFixture {
  readonly publisher: CommitEventPublisher;
  /**
   * Every event a rule carrying the stack's commit patterns (commitEventPatterns of a config whose
   * repository is `orders-service`) delivered to its target, read at the target.
   */
  readonly matched: () => Promise<MatchedEvent[]>;
  readonly cleanup?: () => Promise<void>;
}

const commit = (n: number, over: Partial<CommitPushedDetail> = {}): CommitPushedDetail => ({
  repository: 'orders-service',
  branch: 'main',
  commit: String(n).repeat(40).slice(0, 40),
  parents: ['f'.repeat(40)],
  author: { name: 'Ada Lovelace', email: 'ada@example.com' },
  message: `commit ${n}: add orders index`,
  timestamp: '2026-03-01T09:15:30Z',
  attestation: `v1.${n}.signature`,
  ...over,
});

/** What the webhook relies on from the bus it puts commit events on, locally and on AWS. */
export function commitEventPublisherContract(
  adapter: string,
  setup: () => Promise<CommitEventPublisherFixture>,
): void {
  describe(`CommitEventPublisher contract: ${adapter}`, () => {
    let fixture: CommitEventPublisherFixture;
    beforeEach(async () => {
      fixture = await setup();
    });
    afterEach(async () => {
      await fixture?.cleanup?.();
    });

    it("delivers the commit event, detail intact, to the commit rule's target under the id publish returned", async () => {
      // Act
      const id = await fixture.publisher.publish(commit(1));
      // Assert
      expect(await fixture.matched()).toEqual([
        {
          rule: 'TollgateCommitPushed',
          id,
          source: 'tollgate.git',
          'detail-type': 'Commit Pushed',
          detail: commit(1),
        },
      ]);
    });

    it('returns a distinct id for each event and delivers each once', async () => {
      // Act
      const ids = [await fixture.publisher.publish(commit(1)), await fixture.publisher.publish(commit(2))];
      // Assert
      expect(new Set(ids).size).toBe(2);
      const matched = await fixture.matched();
      expect(matched.map((e) => e.id).sort()).toEqual([...ids].sort());
      expect(matched.map((e) => (e.detail as CommitPushedDetail).commit).sort()).toEqual([
        commit(1).commit,
        commit(2).commit,
      ]);
    });

    it("accepts a commit of another repository, which no rule of this pipeline's receives", async () => {
      // Act
      const id = await fixture.publisher.publish(commit(3, { repository: 'billing' }));
      // Assert
      expect(id).toEqual(expect.any(String));
      expect(await fixture.matched()).toEqual([]);
    });

    it('delivers a commit of an unconfigured branch too, so plan-run can record it as a skip', async () => {
      // Act
      await fixture.publisher.publish(commit(4, { branch: 'feature/x' }));
      // Assert
      expect((await fixture.matched()).map((e) => (e.detail as CommitPushedDetail).branch)).toEqual([
        'feature/x',
      ]);
    });
  });
}
