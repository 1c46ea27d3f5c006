import { describe, expect, it } from 'vitest';
import { RunTimeline, type TimelineEvent } from '../../../../runtime/up/run-timeline.js';

const ARN = 'arn:aws:states:us-east-1:000000000000:execution:tollgate-orders-service:run-1';
let t = 0;
const ev = (type: string, details: Record<string, unknown> = {}): TimelineEvent => {
  t += 100;
  return { type, timestamp: t, ...details };
};
const entered = (kind: string, name: string, input: unknown = {}) =>
  ev(`${kind}StateEntered`, { stateEnteredEventDetails: { name, input: JSON.stringify(input) } });
const exited = (kind: string, name: string) =>
  ev(`${kind}StateExited`, { stateExitedEventDetails: { name } });

describe('RunTimeline', () => {
  it('returns one stage per environment with its evidence when a run walks the pipeline', () => {
    // Arrange
    t = 0;
    const events = [
      ev('ExecutionStarted', {
        executionStartedEventDetails: {
          input: JSON.stringify({ detail: { commit: 'abc', branch: 'main', message: 'm' } }),
        },
      }),
      entered('Task', 'Build'),
      exited('Task', 'Build'),
      ev('MapIterationStarted', { mapIterationStartedEventDetails: { index: 0 } }),
      entered('Pass', 'EnterEnvironment', { name: 'test' }),
      entered('Choice', 'ApprovalNeeded'),
      entered('Task', 'Deploy'),
      entered('Wait', 'WaitForRollout'),
      entered('Choice', 'RolloutDecision'),
      entered('Task', 'SmokeTest'),
      ev('TaskSucceeded', {
        taskSucceededEventDetails: { output: JSON.stringify({ Payload: { passed: true } }) },
      }),
      exited('Task', 'SmokeTest'),
      ev('MapIterationSucceeded'),
      ev('ExecutionSucceeded', { executionSucceededEventDetails: { output: '{}' } }),
    ];
    // Act
    const run = RunTimeline.fold(ARN, events);
    // Assert
    expect(run.status).toBe('SUCCEEDED');
    expect(run.commit).toMatchObject({ commit: 'abc', branch: 'main' });
    expect(run.stages.map((s) => [s.environment, s.stage, s.status])).toEqual([
      [null, 'build', 'succeeded'],
      ['test', 'deploy', 'succeeded'],
      ['test', 'smoke-test', 'succeeded'],
    ]);
    expect(run.stages[2]!.result).toEqual({ passed: true });
  });

  it('returns the stage as failed with error and cause when a task fails and the run ends', () => {
    // Arrange
    t = 0;
    const timeline = new RunTimeline(ARN);
    for (const e of [
      entered('Pass', 'EnterEnvironment', { name: 'test' }),
      entered('Task', 'MigrateDatabase'),
    ])
      timeline.apply(e);
    // Act
    const changes = [
      ...timeline.apply(
        ev('TaskFailed', { taskFailedEventDetails: { error: 'Tollgate.MigrationFailed', cause: '23505' } }),
      ),
      ...timeline.apply(
        ev('ExecutionFailed', { executionFailedEventDetails: { error: 'Tollgate.MigrationFailed' } }),
      ),
    ];
    // Assert
    expect(changes.map((c) => c.kind)).toEqual(['stage-finished', 'run-finished']);
    expect(timeline.run.stages[0]).toMatchObject({
      environment: 'test',
      stage: 'migrate',
      status: 'failed',
      error: 'Tollgate.MigrationFailed',
      cause: '23505',
    });
  });

  it('reports an approval gate as waiting once its task is submitted', () => {
    // Arrange
    t = 0;
    const timeline = new RunTimeline(ARN);
    timeline.apply(entered('Pass', 'EnterEnvironment', { name: 'prod' }));
    timeline.apply(entered('Task', 'ApprovalGate'));
    // Act
    const changes = timeline.apply(ev('TaskSubmitted', { taskSubmittedEventDetails: {} }));
    // Assert
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      kind: 'stage-waiting',
      stage: { environment: 'prod', stage: 'approval' },
    });
  });
});
