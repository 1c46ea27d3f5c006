import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineHarness, ROLE } from './engine-harness.js';

const PASS = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };

describe('engine API bad input', () => {
  let h: EngineHarness;

  beforeEach(async () => {
    h = new EngineHarness();
    await h.engine.start();
  });

  afterEach(async () => {
    await h.engine.close();
  });

  it('returns InvalidDefinition naming the location when a transition target is missing', async () => {
    // Act
    const created = h.createStateMachine({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });

    // Assert
    await expect(created).rejects.toMatchObject({
      code: 'InvalidDefinition',
      message:
        "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A/Next'",
    });
    expect(((await h.call('ListStateMachines', {})) as { stateMachines: unknown[] }).stateMachines).toEqual(
      [],
    );
  });

  it('returns InvalidDefinition when the definition is not JSON', async () => {
    // Act
    const created = h.createStateMachine('{"StartAt": ');

    // Assert
    await expect(created).rejects.toMatchObject({ code: 'InvalidDefinition' });
  });

  it('returns InvalidDefinition with the field location for a field the state type does not take', async () => {
    // Act
    const created = h.createStateMachine({
      StartAt: 'W',
      States: { W: { Type: 'Wait', Seconds: 1, Result: 1, End: true } },
    });

    // Assert
    await expect(created).rejects.toMatchObject({
      code: 'InvalidDefinition',
      message: expect.stringContaining('/States/W/Result'),
    });
  });

  it('returns InvalidDefinition for a Task resource that is not an ARN', async () => {
    // Act
    const created = h.createStateMachine({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: 'nope', End: true } },
    });

    // Assert
    await expect(created).rejects.toMatchObject({
      code: 'InvalidDefinition',
      message: expect.stringContaining('/States/T/Resource'),
    });
  });

  it('accepts any service integration resource at create time', async () => {
    // Act
    const arn = await h.createStateMachine({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:getObject', End: true } },
    });

    // Assert
    expect(arn).toContain(':stateMachine:sm');
  });

  it('returns InvalidExecutionInput when the input is not JSON, and starts nothing', async () => {
    // Arrange
    const sm = await h.createStateMachine(PASS);

    // Act
    const started = h.call('StartExecution', { stateMachineArn: sm, input: '{"a":' });

    // Assert
    await expect(started).rejects.toMatchObject({ code: 'InvalidExecutionInput' });
    expect(
      ((await h.call('ListExecutions', { stateMachineArn: sm })) as { executions: unknown[] }).executions,
    ).toEqual([]);
  });

  it('returns ValidationException when the input is larger than 256 KiB', async () => {
    // Arrange
    const sm = await h.createStateMachine(PASS);

    // Act
    const started = h.call('StartExecution', {
      stateMachineArn: sm,
      input: JSON.stringify('x'.repeat(262_145)),
    });

    // Assert
    await expect(started).rejects.toMatchObject({ code: 'ValidationException' });
  });

  it.each([
    ['CreateStateMachine', { name: 5, definition: '{}', roleArn: ROLE }],
    ['CreateStateMachine', { name: 'x', definition: { StartAt: 'P' }, roleArn: ROLE }],
    ['StartExecution', { stateMachineArn: ['a'] }],
    [
      'StartExecution',
      { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm', input: {} },
    ],
    [
      'ListExecutions',
      { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm', maxResults: '5' },
    ],
    [
      'ListExecutions',
      { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm', statusFilter: 'DONE' },
    ],
    [
      'GetExecutionHistory',
      { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:sm:e', reverseOrder: 'yes' },
    ],
    ['SendTaskSuccess', { taskToken: 1, output: '{}' }],
    ['DescribeExecution', {}],
  ])('returns ValidationException for a wrong-typed or missing field in %s', async (op, body) => {
    // Act
    const called = h.call(op, body);

    // Assert
    await expect(called).rejects.toMatchObject({ code: 'ValidationException' });
  });

  it('returns SerializationException when the body is not a JSON object', async () => {
    // Act
    const called = h.call('ListStateMachines', [1, 2]);

    // Assert
    await expect(called).rejects.toMatchObject({ code: 'SerializationException' });
  });

  it('returns InvalidArn for an ARN of the wrong resource type', async () => {
    // Act
    const called = h.call('DescribeStateMachine', {
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:execution:sm:e',
    });

    // Assert
    await expect(called).rejects.toMatchObject({ code: 'InvalidArn' });
  });

  it('returns StateMachineDoesNotExist and ExecutionDoesNotExist for unknown resources', async () => {
    // Act / Assert
    await expect(
      h.call('DescribeStateMachine', {
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:none',
      }),
    ).rejects.toMatchObject({ code: 'StateMachineDoesNotExist' });
    await expect(
      h.call('DescribeExecution', { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:none:e' }),
    ).rejects.toMatchObject({ code: 'ExecutionDoesNotExist' });
  });

  it('returns InvalidToken for a pagination token it did not issue', async () => {
    // Act
    const called = h.call('ListStateMachines', { nextToken: 'garbage' });

    // Assert
    await expect(called).rejects.toMatchObject({ code: 'InvalidToken' });
  });

  it('returns UnknownOperationException for an operation it does not serve', async () => {
    // Act
    const called = h.call('DescribeActivity', {});

    // Assert
    await expect(called).rejects.toMatchObject({ code: 'UnknownOperationException' });
  });

  it('returns InvalidName for an execution name AWS would refuse', async () => {
    // Arrange
    const sm = await h.createStateMachine(PASS);

    // Act
    const started = h.call('StartExecution', { stateMachineArn: sm, name: 'has space' });

    // Assert
    await expect(started).rejects.toMatchObject({ code: 'InvalidName' });
  });
});
