import { describe, expect, it } from 'vitest';
import {
  cryptoRandomSource,
  JavaRandom,
  validateIntrinsic,
} from '../../../../../../runtime/asl/jsonpath/index.js';

describe('JavaRandom', () => {
  it('returns java.util.Random values when seeded', () => {
    // Arrange: new Random(42).nextInt(10) == 0 is a widely published Java result
    const random = new JavaRandom(42);
    // Act
    const first = random.nextInt(10);
    // Assert
    expect(first).toBe(0);
  });

  it('repeats its sequence for the same seed and stays within the bound', () => {
    // Arrange
    const a = new JavaRandom(-7);
    const b = new JavaRandom(-7);
    // Act
    const left = Array.from({ length: 50 }, () => a.nextInt(37));
    const right = Array.from({ length: 50 }, () => b.nextInt(37));
    // Assert
    expect(left).toEqual(right);
    expect(left.every((value) => value >= 0 && value < 37)).toBe(true);
    expect(new Set(left).size).toBeGreaterThan(10);
  });

  it('throws when the bound is not a positive integer', () => {
    // Arrange / Act / Assert
    expect(() => new JavaRandom(1).nextInt(0)).toThrowError(RangeError);
  });
});

describe('cryptoRandomSource', () => {
  it('returns integers in [min, max) and the requested number of bytes', () => {
    // Arrange / Act
    const values = Array.from({ length: 100 }, () => cryptoRandomSource.nextInt(3, 6));
    // Assert
    expect(values.every((value) => value >= 3 && value < 6)).toBe(true);
    expect(cryptoRandomSource.bytes(16)).toHaveLength(16);
  });
});

describe('validateIntrinsic', () => {
  it('returns undefined for a valid call and a one-line reason for an invalid one', () => {
    // Arrange / Act / Assert
    expect(validateIntrinsic("States.Format('{}', $.a)")).toBeUndefined();
    expect(validateIntrinsic('States.Hash($.a)')).toBe(
      "Invalid intrinsic function expression 'States.Hash($.a)': States.Hash takes 2 arguments, but got 1",
    );
    expect(validateIntrinsic(7 as unknown as string)).toBe('an intrinsic function call must be a string');
  });
});
