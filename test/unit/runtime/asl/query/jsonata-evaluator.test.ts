import { describe, expect, it } from 'vitest';
import { StatesError } from '../../../../../runtime/asl/errors/states-error.js';
import {
  evaluateJsonata,
  evaluateJsonataTemplate,
  jsonataExpressionOf,
} from '../../../../../runtime/asl/query/jsonata-evaluator.js';

const scope = (input: unknown, variables: Record<string, unknown> = {}) => ({
  states: { input, context: { Execution: { Name: 'e1' } } },
  variables,
});
const PREFIX = "An error occurred while executing the state 'S' (entered at the event id #2).";

describe('evaluateJsonata', () => {
  it('evaluates against $states and workflow variables', async () => {
    // Act
    const out = await evaluateJsonata('$states.input.a + $x', scope({ a: 2 }, { x: 40 }), 'Output', PREFIX);

    // Assert
    expect(out).toBe(42);
  });

  it("raises AWS's QueryEvaluationError when the expression returns nothing", async () => {
    // Act
    const evaluated = evaluateJsonata('$doesNotExist', scope({}), 'Output', PREFIX);

    // Assert
    await expect(evaluated).rejects.toMatchObject({
      error: 'States.QueryEvaluationError',
      causeText: `${PREFIX} The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined).`,
      location: 'Output',
    });
  });

  it('provides the Step Functions functions $partition, $range, $hash, $parse and $uuid', async () => {
    // Act
    const out = await evaluateJsonata(
      '{"p": $partition([1,2,3], 2), "r": $range(0, 6, 2), "h": $hash("a", "SHA-256"), "j": $parse(\'{"k":1}\'), "u": $uuid()}',
      scope({}),
      'Output',
      PREFIX,
    );

    // Assert
    expect(out).toMatchObject({
      p: [[1, 2], [3]],
      r: [0, 2, 4, 6],
      h: 'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb',
      j: { k: 1 },
    });
    expect((out as { u: string }).u).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('returns the same $random value for the same seed', async () => {
    // Act
    const a = await evaluateJsonata('$random(7)', scope({}), 'Output', PREFIX);
    const b = await evaluateJsonata('$random(7)', scope({}), 'Output', PREFIX);

    // Assert
    expect(a).toBe(b);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(1);
  });

  it('refuses $eval, which Step Functions removes', async () => {
    // Act
    const evaluated = evaluateJsonata('$eval("1+1")', scope({}), 'Output', PREFIX);

    // Assert
    await expect(evaluated).rejects.toBeInstanceOf(StatesError);
    await expect(evaluated).rejects.toMatchObject({ error: 'States.QueryEvaluationError' });
  });

  it('reports a syntax error as QueryEvaluationError naming the field', async () => {
    // Act
    const evaluated = evaluateJsonata('$states.input.(', scope({}), 'Arguments', PREFIX);

    // Assert
    await expect(evaluated).rejects.toMatchObject({
      error: 'States.QueryEvaluationError',
      location: 'Arguments',
    });
  });
});

describe('evaluateJsonataTemplate', () => {
  it('replaces every {% %} string in nested objects and arrays and keeps literals', async () => {
    // Act
    const out = await evaluateJsonataTemplate(
      { a: '{% $states.input.v %}', b: ['{% 1 + 1 %}', 'plain'], c: { d: 3 } },
      scope({ v: 'x' }),
      'Output',
      PREFIX,
    );

    // Assert
    expect(out).toEqual({ a: 'x', b: [2, 'plain'], c: { d: 3 } });
  });

  it('names the nested field in the error, as AWS does (Output/error)', async () => {
    // Act
    const evaluated = evaluateJsonataTemplate({ error: '{% $nope %}' }, scope({}), 'Output', PREFIX);

    // Assert
    await expect(evaluated).rejects.toMatchObject({ location: 'Output/error' });
  });

  it('recognises only whole-string expressions', () => {
    // Act / Assert
    expect(jsonataExpressionOf('{% $x %}')).toBe('$x');
    expect(jsonataExpressionOf('a {% $x %}')).toBeUndefined();
    expect(jsonataExpressionOf(3)).toBeUndefined();
  });
});
