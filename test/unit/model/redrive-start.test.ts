import { describe, expect, it } from 'vitest';
import { redriveStart } from '../../../model/redrive-start.js';

const topLevel = new Map([
  ['Deploy', 'Task'],
  ['ForEachShard', 'Map'],
  ['RunFailed', 'Fail'],
]);
const entered = (type: string, name: string) => ({ type, stateEnteredEventDetails: { name } });

describe('redriveStart', () => {
  it('returns failsAgain when the run last entered its top-level Fail state', () => {
    // Act
    const from = redriveStart(
      [
        entered('TaskStateEntered', 'Deploy'),
        { type: 'TaskFailed' },
        entered('FailStateEntered', 'RunFailed'),
      ],
      topLevel,
    );
    // Assert
    expect(from).toMatchObject({ state: 'RunFailed', kind: 'Fail', failsAgain: true });
  });

  it('returns the enclosing top-level state, not failing again, when the last state entered was a Fail state inside a Map', () => {
    // Act
    const from = redriveStart(
      [
        entered('TaskStateEntered', 'Deploy'),
        entered('MapStateEntered', 'ForEachShard'),
        entered('FailStateEntered', 'ShardBroken'),
        { type: 'MapStateFailed' },
        { type: 'ExecutionFailed' },
      ],
      topLevel,
    );
    // Assert
    expect(from).toMatchObject({ state: 'ForEachShard', kind: 'Map', failsAgain: false });
  });

  it('returns null when the run entered no top-level state', () => {
    // Act / Assert
    expect(
      redriveStart([{ type: 'ExecutionStarted' }, entered('PassStateEntered', 'Unknown')], topLevel),
    ).toBeNull();
  });
});
