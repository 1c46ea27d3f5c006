import { describe, expect, it } from 'vitest';
import { EngineHarness } from './engine-harness.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:work';

interface TestStateAnswer {
  status: string;
  output?: string;
  error?: string;
  cause?: string;
  nextState?: string;
  inspectionData?: Record<string, string>;
}

async function harness(handlers = {}) {
  const h = new EngineHarness({ handlers });
  await h.engine.start();
  const test = (body: Record<string, unknown>) =>
    h.call<TestStateAnswer>('TestState', {
      ...body,
      definition: typeof body.definition === 'string' ? body.definition : JSON.stringify(body.definition),
    });
  return { h, test };
}

describe('TestState', () => {
  it('runs a Task with its data-processing steps at DEBUG and names the next state', async () => {
    // Arrange
    const { test } = await harness({ work: (e: { n: number }) => ({ doubled: e.n * 2, noise: true }) });

    // Act
    const out = await test({
      definition: {
        Type: 'Task',
        Resource: FN,
        InputPath: '$.job',
        Parameters: { 'n.$': '$.n' },
        ResultSelector: { 'd.$': '$.doubled' },
        ResultPath: '$.result',
        Next: 'Done',
      },
      input: JSON.stringify({ job: { n: 21 } }),
      inspectionLevel: 'DEBUG',
    });

    // Assert
    expect(out).toEqual({
      status: 'SUCCEEDED',
      output: '{"job":{"n":21},"result":{"d":42}}',
      nextState: 'Done',
      inspectionData: {
        input: '{"job":{"n":21}}',
        afterInputPath: '{"n":21}',
        afterParameters: '{"n":21}',
        result: '{"doubled":42,"noise":true}',
        afterResultSelector: '{"d":42}',
        afterResultPath: '{"job":{"n":21},"result":{"d":42}}',
        variables: '{}',
      },
    });
  });

  it('answers INFO with the output only, and a Choice with the branch it takes', async () => {
    // Arrange
    const { test } = await harness();

    // Act
    const out = await test({
      definition: {
        Type: 'Choice',
        Choices: [{ Variable: '$.size', NumericGreaterThan: 10, Next: 'Big' }],
        Default: 'Small',
      },
      input: '{"size":11}',
    });

    // Assert
    expect(out).toEqual({ status: 'SUCCEEDED', output: '{"size":11}', nextState: 'Big' });
  });

  it('reports RETRIABLE for an error a Retry matches, without waiting for the retry', async () => {
    // Arrange
    const { test } = await harness({
      work: () => {
        throw Object.assign(new Error('busy'), { name: 'Busy' });
      },
    });

    // Act
    const out = await test({
      definition: {
        Type: 'Task',
        Resource: FN,
        Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 3600 }],
        End: true,
      },
    });

    // Assert
    expect(out.status).toBe('RETRIABLE');
    expect(out.error).toBe('Busy');
    expect(JSON.parse(out.cause ?? '{}')).toMatchObject({ errorType: 'Busy', errorMessage: 'busy' });
  });

  it('reports CAUGHT_ERROR with the catcher output and next state', async () => {
    // Arrange
    const { test } = await harness({
      work: () => {
        throw Object.assign(new Error('nope'), { name: 'Nope' });
      },
    });

    // Act
    const out = await test({
      definition: {
        Type: 'Task',
        Resource: FN,
        Retry: [{ ErrorEquals: ['Other'] }],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'Recover' }],
        End: true,
      },
      input: '{"a":1}',
    });

    // Assert
    expect(out.status).toBe('CAUGHT_ERROR');
    expect(out.nextState).toBe('Recover');
    expect(out.error).toBe('Nope');
    expect(JSON.parse(out.output ?? '{}')).toMatchObject({ a: 1, err: { Error: 'Nope' } });
  });

  it('fails a Fail state, and tests one state of a whole machine by stateName with variables', async () => {
    // Arrange
    const { test } = await harness();
    const machine = {
      StartAt: 'First',
      States: {
        First: { Type: 'Pass', Next: 'Second' },
        Second: { Type: 'Pass', Parameters: { 'seen.$': '$greeting' }, Assign: { count: 2 }, End: true },
        Stop: { Type: 'Fail', Error: 'Custom.Stop', Cause: 'told to' },
      },
    };

    // Act
    const failed = await test({ definition: machine, stateName: 'Stop' });
    const passed = await test({
      definition: machine,
      stateName: 'Second',
      variables: '{"greeting":"hi"}',
      inspectionLevel: 'TRACE',
    });

    // Assert
    expect(failed).toEqual({ status: 'FAILED', error: 'Custom.Stop', cause: 'told to' });
    expect(passed.output).toBe('{"seen":"hi"}');
    expect(passed.inspectionData?.variables).toBe('{"greeting":"hi","count":2}');
  });

  it.each([
    [{ definition: '{"Type":', input: '{}' }, 'InvalidDefinition'],
    [{ definition: { Type: 'Pass', End: true, Bogus: 1 } }, 'InvalidDefinition'],
    [
      { definition: { Type: 'Task', Resource: 'arn:aws:states:::ecs:runTask.sync', End: true } },
      'InvalidDefinition',
    ],
    [{ definition: { Type: 'Pass', End: true }, input: '{oops' }, 'InvalidExecutionInput'],
    [{ definition: { Type: 'Pass', End: true }, variables: '[1]' }, 'InvalidExecutionInput'],
    [{ definition: { Type: 'Pass', End: true }, inspectionLevel: 'LOUD' }, 'ValidationException'],
    [{ definition: { Type: 'Pass', End: true }, mock: { result: '{}' } }, 'ValidationException'],
    [
      { definition: { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }, stateName: 'B' },
      'ValidationException',
    ],
  ])('refuses bad input %j with %s', async (body, code) => {
    // Arrange
    const { test } = await harness();

    // Act
    const call = test(body as Record<string, unknown>);

    // Assert
    await expect(call).rejects.toMatchObject({ code });
  });
});
