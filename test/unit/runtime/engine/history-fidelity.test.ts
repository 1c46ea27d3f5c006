import { describe, expect, it } from 'vitest';
import type { EngineStore, StoreRecord } from '../../../../runtime/store/engine-store.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';
import { EngineHarness } from './engine-harness.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:big';

/** A real MemoryStore whose writes of `held` records wait until the test releases them. */
class HeldStore implements EngineStore {
  private readonly inner = new MemoryStore();
  private held: Array<() => void> = [];
  holding: (record: StoreRecord) => boolean = () => false;

  append(records: readonly StoreRecord[]): Promise<void> {
    const written = this.inner.append(records);
    if (!records.some(this.holding)) return written;
    return new Promise((resolve, reject) => this.held.push(() => written.then(resolve, reject)));
  }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const done of held) done();
  }

  replay(): AsyncIterable<StoreRecord> {
    return this.inner.replay();
  }

  compact(live: readonly StoreRecord[]): Promise<void> {
    return this.inner.compact(live);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('history fidelity (known deviations from AWS, fixed)', () => {
  it('names the function ARN in the DataLimitExceeded cause of a Lambda called by its ARN', async () => {
    // Arrange
    const h = new EngineHarness({ handlers: { big: () => ({ blob: 'x'.repeat(300 * 1024) }) } });
    await h.engine.start();
    const sm = await h.createStateMachine({
      StartAt: 'Call',
      States: { Call: { Type: 'Task', Resource: FN, End: true } },
    });

    // Act
    const exec = await h.start(sm);
    const described = await h.until(exec, 'FAILED');
    const failed = (await h.history(exec)).find((e) => e.type === 'LambdaFunctionFailed');

    // Assert
    const cause = `The state/task '${FN}' returned a result with a size exceeding the maximum number of bytes service limit.`;
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded', cause });
    expect(failed?.lambdaFunctionFailedEventDetails).toEqual({ error: 'States.DataLimitExceeded', cause });
  });

  it('hands a caught States.Timeout to its Catch with an empty Cause', async () => {
    // Arrange
    const h = new EngineHarness({ handlers: { big: () => new Promise(() => {}) } });
    await h.engine.start();
    const sm = await h.createStateMachine({
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: FN,
          TimeoutSeconds: 5,
          Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    });

    // Act
    const exec = await h.start(sm);
    await h.untilEvent(exec, 'LambdaFunctionStarted');
    h.clock.advance(5_000);
    const described = await h.until(exec, 'SUCCEEDED');

    // Assert
    expect(JSON.parse(described.output ?? 'null')).toEqual({ Error: 'States.Timeout', Cause: '' });
  });

  it("links a distributed Map's MapStateExited to its MapRunStarted", async () => {
    // Arrange
    const h = new EngineHarness();
    await h.engine.start();
    const sm = await h.createStateMachine({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Done',
            States: { Done: { Type: 'Succeed' } },
          },
          End: true,
        },
      },
    });

    // Act
    const exec = await h.start(sm, [1, 2]);
    await h.until(exec, 'SUCCEEDED');
    const events = await h.history(exec);

    // Assert
    const id = (type: string) => events.find((e) => e.type === type)?.id;
    const exited = events.find((e) => e.type === 'MapStateExited');
    expect(exited?.previousEventId).toBe(id('MapRunStarted'));
    expect(events.find((e) => e.type === 'MapStateSucceeded')?.previousEventId).toBe(id('MapRunSucceeded'));
  });

  it('reports the terminal status only once GetExecutionHistory shows the final event', async () => {
    // Arrange
    const store = new HeldStore();
    const h = new EngineHarness({ store });
    await h.engine.start();
    const sm = await h.createStateMachine({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });
    // Events are written one (`ev`) or a batch (`evs`) per record.
    store.holding = (r) =>
      [r.e]
        .flat()
        .some(
          (e) => (r.t === 'ev' || r.t === 'evs') && (e as { type: string }).type === 'ExecutionSucceeded',
        );

    // Act: the runner sets SUCCEEDED and writes the final event, whose write stays held.
    const exec = await h.start(sm, { n: 1 });
    await h.settle();
    const whileHeld = await h.call('DescribeExecution', { executionArn: exec });
    const listedWhileHeld = await h.call<{ executions: Array<{ status: string }> }>('ListExecutions', {
      stateMachineArn: sm,
    });
    const historyWhileHeld = (await h.history(exec)).map((e) => e.type);
    store.holding = () => false;
    store.release();
    const after = await h.until(exec, 'SUCCEEDED');

    // Assert
    expect(historyWhileHeld).not.toContain('ExecutionSucceeded');
    expect(whileHeld).toMatchObject({ status: 'RUNNING' });
    expect(whileHeld).not.toHaveProperty('stopDate');
    expect(whileHeld).not.toHaveProperty('output');
    expect(listedWhileHeld.executions.map((e) => e.status)).toEqual(['RUNNING']);
    expect(after).toMatchObject({ status: 'SUCCEEDED', output: '{"n":1}' });
    expect((await h.history(exec)).at(-1)?.type).toBe('ExecutionSucceeded');
  });
});
