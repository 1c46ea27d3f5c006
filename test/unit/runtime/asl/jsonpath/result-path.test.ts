import { describe, expect, it } from 'vitest';
import { applyResultPath } from '../../../../../runtime/asl/jsonpath/index.js';

describe('applyResultPath', () => {
  it('returns the result when ResultPath is absent', () => {
    // Arrange / Act / Assert
    expect(applyResultPath({ a: 1 }, undefined, { r: 2 })).toEqual({ r: 2 });
  });

  it('returns the result when ResultPath is $', () => {
    // Arrange / Act / Assert
    expect(applyResultPath({ a: 1 }, '$', 'done')).toBe('done');
  });

  it('returns the input unchanged when ResultPath is null', () => {
    // Arrange
    const input = { a: 1 };
    // Act / Assert
    expect(applyResultPath(input, null, 'discarded')).toBe(input);
  });

  it('creates the missing objects when ResultPath points below the input', () => {
    // Arrange / Act
    const output = applyResultPath({ a: 1 }, '$.b.c', 5);
    // Assert
    expect(output).toEqual({ a: 1, b: { c: 5 } });
  });

  it('replaces an existing value and leaves the original input untouched', () => {
    // Arrange
    const input = { a: { keep: true, x: 1 } };
    // Act
    const output = applyResultPath(input, '$.a.x', 2);
    // Assert
    expect(output).toEqual({ a: { keep: true, x: 2 } });
    expect(input).toEqual({ a: { keep: true, x: 1 } });
  });

  it('writes into an existing array element', () => {
    // Arrange / Act
    const output = applyResultPath({ list: [{}, {}] }, '$.list[1].r', 'x');
    // Assert
    expect(output).toEqual({ list: [{}, { r: 'x' }] });
  });

  it('throws States.ResultPathMatchFailure when the input is not an object', () => {
    // Arrange / Act / Assert
    expect(() => applyResultPath('text', '$.a', 1)).toThrowError(
      expect.objectContaining({
        name: 'States.ResultPathMatchFailure',
        message: 'Unable to apply ResultPath "$.a" to input "\\"text\\""',
      }),
    );
  });

  it('throws States.ResultPathMatchFailure when a step of the path is a scalar', () => {
    // Arrange / Act / Assert
    expect(() => applyResultPath({ a: 3 }, '$.a.b', 1)).toThrowError(
      expect.objectContaining({ name: 'States.ResultPathMatchFailure' }),
    );
  });

  it('throws States.ResultPathMatchFailure when an index is out of range', () => {
    // Arrange / Act / Assert
    expect(() => applyResultPath({ a: [] }, '$.a[0]', 1)).toThrowError(
      expect.objectContaining({ name: 'States.ResultPathMatchFailure' }),
    );
  });

  it('throws when ResultPath is not a reference path', () => {
    // Arrange / Act / Assert
    expect(() => applyResultPath({ a: [] }, '$.a[*]', 1)).toThrowError(/must be a reference path/);
    expect(() => applyResultPath({}, '$$.Execution', 1)).toThrowError(/Invalid JSONPath/);
  });
});
