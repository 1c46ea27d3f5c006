import { describe, expect, it } from 'vitest';
import { EngineHarness } from './engine-harness.js';

/** The `output` in the details of the first event of `type`. */
function detailOf(events: Array<Record<string, unknown>>, type: string, key: string): unknown {
  const details = events.find((e) => e.type === type)?.[key] as { output?: unknown } | undefined;
  return details?.output;
}

/**
 * The execution's output is the last state's output as compact JSON: taken from its Exited event
 * when that state serialised it, and serialised again when it is the input handed through as the
 * caller wrote it (spaces and all).
 */
describe('execution output text', () => {
  it('is the last Exited event output when the last state changed the payload', async () => {
    // Arrange
    const h = new EngineHarness();
    await h.engine.start();
    const sm = await h.createStateMachine({
      StartAt: 'A',
      States: { A: { Type: 'Pass', Result: { ok: true }, ResultPath: '$.a', End: true } },
    });

    // Act
    const arn = await h.start(sm, '{ "i" : 1 }');
    const described = await h.until(arn, 'SUCCEEDED');
    const events = await h.history(arn);

    // Assert
    expect(described.output).toBe('{"i":1,"a":{"ok":true}}');
    expect(detailOf(events, 'PassStateExited', 'stateExitedEventDetails')).toBe(described.output);
    expect(detailOf(events, 'ExecutionSucceeded', 'executionSucceededEventDetails')).toBe(described.output);
  });

  it('is compact when the input passes through unchanged as the caller spaced it', async () => {
    // Arrange
    const h = new EngineHarness();
    await h.engine.start();
    const sm = await h.createStateMachine({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });

    // Act
    const arn = await h.start(sm, '{ "i" : 1 }');
    const described = await h.until(arn, 'SUCCEEDED');
    const events = await h.history(arn);

    // Assert
    expect(described.output).toBe('{"i":1}');
    expect(detailOf(events, 'ExecutionSucceeded', 'executionSucceededEventDetails')).toBe('{"i":1}');
  });
});
