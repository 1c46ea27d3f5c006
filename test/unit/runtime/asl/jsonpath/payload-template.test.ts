import { describe, expect, it } from 'vitest';
import { applyPayloadTemplate, type JsonPathScope } from '../../../../../runtime/asl/jsonpath/index.js';

const scope: JsonPathScope = {
  input: { name: 'Ada', items: [1, 2], nested: { deep: true } },
  context: { Execution: { Id: 'arn:exec', Input: { raw: 1 } }, State: { Name: 'S' } },
  variables: { count: 3, config: { region: 'eu' } },
};

describe('applyPayloadTemplate', () => {
  it('evaluates .$ keys over the input and drops the suffix', () => {
    // Arrange / Act
    const out = applyPayloadTemplate({ 'who.$': '$.name', 'all.$': '$' }, scope);
    // Assert
    expect(out).toEqual({ who: 'Ada', all: scope.input });
  });

  it('reads the context object when the path starts with $$', () => {
    // Arrange / Act
    const out = applyPayloadTemplate({ 'id.$': '$$.Execution.Id', 'ctx.$': '$$' }, scope);
    // Assert
    expect(out).toEqual({ id: 'arn:exec', ctx: scope.context });
  });

  it('reads variables when the path starts with a variable name', () => {
    // Arrange / Act
    const out = applyPayloadTemplate({ 'n.$': '$count', 'r.$': '$config.region' }, scope);
    // Assert
    expect(out).toEqual({ n: 3, r: 'eu' });
  });

  it('evaluates intrinsic function calls', () => {
    // Arrange / Act
    const out = applyPayloadTemplate({ 'greeting.$': "States.Format('Hi {}', $.name)" }, scope);
    // Assert
    expect(out).toEqual({ greeting: 'Hi Ada' });
  });

  it('recurses into nested objects and arrays and copies literals', () => {
    // Arrange
    const template = {
      a: { 'b.$': '$.items[0]', c: [{ 'd.$': '$.nested.deep' }, 7] },
      literal: 'x',
      n: null,
    };
    // Act
    const out = applyPayloadTemplate(template, scope);
    // Assert
    expect(out).toEqual({ a: { b: 1, c: [{ d: true }, 7] }, literal: 'x', n: null });
    expect(template.a['b.$']).toBe('$.items[0]');
  });

  it('throws States.Runtime with AWS cause text when a path matches nothing', () => {
    // Arrange / Act / Assert
    expect(() => applyPayloadTemplate({ 'value.$': '$.missing' }, scope)).toThrowError(
      expect.objectContaining({
        name: 'States.Runtime',
        message: `The JSONPath '$.missing' specified for the field 'value.$' could not be found in the input '${JSON.stringify(scope.input)}'`,
      }),
    );
  });

  it('throws States.Runtime when a variable is not defined', () => {
    // Arrange / Act / Assert
    expect(() => applyPayloadTemplate({ 'v.$': '$nope' }, scope)).toThrowError(
      expect.objectContaining({ name: 'States.Runtime', message: expect.stringContaining("'$nope'") }),
    );
  });

  it('throws States.Runtime when a .$ value is not a string', () => {
    // Arrange / Act / Assert
    expect(() => applyPayloadTemplate({ 'v.$': 5 }, scope)).toThrowError(
      expect.objectContaining({ name: 'States.Runtime', message: expect.stringContaining("'v.$'") }),
    );
  });

  it('throws States.IntrinsicFailure when an intrinsic gets a bad argument', () => {
    // Arrange / Act / Assert
    expect(() => applyPayloadTemplate({ 'v.$': 'States.ArrayLength($.name)' }, scope)).toThrowError(
      expect.objectContaining({ name: 'States.IntrinsicFailure' }),
    );
  });
});
