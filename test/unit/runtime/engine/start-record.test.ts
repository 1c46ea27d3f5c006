import { describe, expect, it } from 'vitest';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import type { StoreRecord } from '../../../../runtime/store/engine-store.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';
import { EngineHarness } from './engine-harness.js';

/** Waits a minute, then outputs which version of the state machine it was. */
const versioned = (version: string) => ({
  StartAt: 'Hold',
  States: {
    Hold: { Type: 'Wait', Seconds: 60, Next: 'Say' },
    Say: { Type: 'Pass', Result: { version }, End: true },
  },
});

async function recordsOf(store: MemoryStore): Promise<StoreRecord[]> {
  const out: StoreRecord[] = [];
  for await (const record of store.replay()) out.push(record);
  return out;
}

describe("StartExecution's record", () => {
  it.each([
    ['as written', false],
    ['after compaction', true],
  ])(
    'names the state machine version instead of repeating its definition, and a restart over the log %s runs each execution on its own version',
    async (_label, compacted) => {
      // Arrange: one execution on v1, then an update, then one on v2, both waiting.
      const store = new MemoryStore();
      const first = new EngineHarness({ store });
      await first.engine.start();
      const sm = await first.createStateMachine(versioned('v1'));
      const onV1 = await first.start(sm, {}, 'on-v1');
      await first.call('UpdateStateMachine', {
        stateMachineArn: sm,
        definition: JSON.stringify(versioned('v2')),
      });
      const onV2 = await first.start(sm, {}, 'on-v2');
      await first.settle();
      if (compacted) await first.engine.compact();

      // Act: a restart over the log, then the waits end.
      const second = new EngineHarness({ store, clock: new FakeEngineClock(first.clock.now()) });
      await second.engine.start();
      await second.settle();
      second.clock.advance(60_000);

      // Assert
      const starts = (await recordsOf(store)).filter((r) => r.t === 'exec');
      // Compaction keeps only the current version, so the execution on v1 then carries its own.
      expect(starts.map((r) => [r.name, 'definition' in r, typeof r.rev])).toEqual([
        ['on-v1', compacted, compacted ? 'undefined' : 'string'],
        ['on-v2', false, 'string'],
      ]);
      expect((await second.until(onV1, 'SUCCEEDED')).output).toBe('{"version":"v1"}');
      expect((await second.until(onV2, 'SUCCEEDED')).output).toBe('{"version":"v2"}');
    },
  );

  it('refuses to start on a log whose execution names a version the log does not hold before it', async () => {
    // Arrange: a state machine, then an execution naming a revision it never had.
    const written = new MemoryStore();
    const first = new EngineHarness({ store: written });
    await first.engine.start();
    const sm = await first.createStateMachine(versioned('v1'));
    const [machine] = await recordsOf(written);
    const store = new MemoryStore();
    await store.append([
      machine,
      {
        t: 'exec',
        x: 'arn:aws:states:us-east-1:123456789012:execution:sm:stray',
        sm,
        name: 'stray',
        inputText: '{}',
        rev: 'no-such-revision',
        roleArn: 'arn:aws:iam::123456789012:role/test-role',
        startDate: 0,
      },
    ]);

    // Act
    const failure = await new EngineHarness({ store }).engine.start().then(
      () => 'started',
      (error: Error) => error.message,
    );

    // Assert
    expect(failure).toMatch(
      /^engine log: execution arn:aws:states:us-east-1:123456789012:execution:sm:stray runs revision no-such-revision of arn:aws:states:us-east-1:123456789012:stateMachine:sm, but the log holds no such version before it \(current: [0-9a-f-]{36}\)$/,
    );
  });
});
