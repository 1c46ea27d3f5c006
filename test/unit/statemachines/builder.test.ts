import { describe, expect, it } from 'vitest';
import { StageId } from '../../../model/stage-id.js';
import { block } from '../../../statemachines/builder/declared-state.js';
import { ENVIRONMENT_SCOPE, RUN_SCOPE } from '../../../statemachines/builder/failures.js';
import { choice, fail, map, pass, succeed } from '../../../statemachines/builder/flow-states.js';
import { stateMachine } from '../../../statemachines/builder/state-machine.js';
import {
  functionPlaceholder,
  LAMBDA_SERVICE_RETRY,
  retryOn,
  taskBuilders,
} from '../../../statemachines/builder/task-states.js';

const header = { Comment: 'test machine', TimeoutSeconds: 60 };
const run = taskBuilders(RUN_SCOPE);
const env = taskBuilders(ENVIRONMENT_SCOPE);

describe('statemachines/builder', () => {
  it('renders a Lambda task with its placeholder, idempotency fields, retry default and failure catch', () => {
    // Arrange
    const task = run.lambda({
      stage: StageId.Deploy,
      fn: 'deploy',
      payload: { pipeline: '{% $plan.pipeline %}' },
      retry: [retryOn('Tollgate.LockConflict', { IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 })],
      failsTo: 'RunFailed',
      Next: 'Done',
    });
    // Act
    const asl = task.asl;
    // Assert
    expect(asl).toEqual({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Arguments: {
        FunctionName: '$' + '{DeployFunctionArn}',
        Payload: {
          executionArn: '{% $states.context.Execution.Id %}',
          stateName: '{% $states.context.State.Name %}',
          pipeline: '{% $plan.pipeline %}',
        },
      },
      Retry: [
        LAMBDA_SERVICE_RETRY,
        { ErrorEquals: ['Tollgate.LockConflict'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 },
      ],
      Catch: [
        {
          ErrorEquals: ['States.ALL'],
          Assign: { failure: expect.stringContaining("{'stage': 'deploy', 'environment': null,") },
          Next: 'RunFailed',
        },
      ],
      Next: 'Done',
    });
    expect(task).toMatchObject({ stage: 'deploy', fn: 'deploy' });
  });

  it('records a failure inside an environment in $envFailure, under the name the ledger already uses', () => {
    // Act
    const task = env.lambda({
      stage: StageId.Register,
      fn: 'register-release',
      payload: {},
      waitForTaskToken: true,
      failsTo: 'RollbackNeeded',
      End: true,
    });
    // Assert
    expect(task.asl).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Arguments: { Payload: { taskToken: '{% $states.context.Task.Token %}' } },
      Catch: [
        {
          Assign: {
            envFailure: expect.stringContaining("{'stage': 'register', 'environment': $env.name,"),
          },
        },
      ],
      End: true,
    });
  });

  it('refuses to retry an error the error catalogue calls final', () => {
    // Act / Assert
    expect(() =>
      retryOn('Tollgate.DeployFailed' as never, { IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }),
    ).toThrow('Tollgate.DeployFailed is not retryable in functions/shared/errors.ts; a Retry cannot list it');
  });

  it('derives a function placeholder from its folder name, and refuses a name that is not kebab-case', () => {
    // Act / Assert
    expect(functionPlaceholder('record-approval-timeout')).toBe('RecordApprovalTimeoutFunctionArn');
    expect(() => functionPlaceholder('RecordRun')).toThrow(
      'task function name "RecordRun" is not kebab-case (it names a folder under functions/)',
    );
  });

  it('collects stages and functions from a Map body as from the top level', () => {
    // Arrange
    const body = block('Work', {
      Work: env.lambda({ stage: StageId.Promote, fn: 'promote', payload: {}, End: true }),
    });
    // Act
    const machine = stateMachine(
      header,
      block('Start', {
        Start: run.lambda({ stage: StageId.Plan, fn: 'plan-run', payload: {}, Next: 'Each' }),
        Each: map({ Items: '{% [1] %}', MaxConcurrency: 1, body, Next: 'Done' }),
        Done: succeed({}),
      }),
    );
    // Assert
    expect(machine.functions).toEqual(['plan-run', 'promote']);
    expect([...machine.stageOfState]).toEqual([
      ['Start', 'plan'],
      ['Each', null],
      ['Work', 'promote'],
      ['Done', null],
    ]);
    expect(machine.definition.States.Each).toMatchObject({
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Work' },
    });
  });

  it('refuses a transition to a state its block does not declare', () => {
    // Arrange
    const states = block('A', { A: pass({ Next: 'Nowhere' }) });
    // Act / Assert
    expect(() => stateMachine(header, states)).toThrow(
      'state A goes to Nowhere, which is not a state of its block',
    );
  });

  it('refuses a transition from a Map body out to the top level', () => {
    // Arrange
    const body = block('Inner', { Inner: pass({ Next: 'Outer' }) });
    const states = block('Outer', {
      Outer: map({ Items: '{% [] %}', MaxConcurrency: 1, body, End: true }),
    });
    // Act / Assert
    expect(() => stateMachine(header, states)).toThrow('state Inner goes to Outer');
  });

  it('refuses a state name declared both at the top level and in a Map body', () => {
    // Arrange
    const body = block('Twice', { Twice: succeed({}) });
    const states = block('Twice', {
      Twice: map({ Items: '{% [] %}', MaxConcurrency: 1, body, End: true }),
    });
    // Act / Assert
    expect(() => stateMachine(header, states)).toThrow('state name Twice is declared twice');
  });

  it('refuses a block whose start state it does not declare, and a Choice without rules', () => {
    // Act / Assert
    expect(() => block('Missing' as never, { A: fail({ Error: 'E', Cause: 'c' }) })).toThrow(
      'block starts at Missing, which it does not declare',
    );
    expect(() => choice(StageId.Plan, { Choices: [], Default: 'A' })).toThrow(
      'a Choice state needs at least one rule',
    );
  });
});
