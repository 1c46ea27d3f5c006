import { describe, expect, it } from 'vitest';
import { parseRunNumber, runNumbers } from '../../../model/run-number.js';

describe('runNumbers', () => {
  it('returns #1 for the oldest run and counts up in start order, ties by name', () => {
    // Arrange
    const runs = [
      { name: 'c', startDate: 30 },
      { name: 'b', startDate: 10 },
      { name: 'a', startDate: 10 },
    ];
    // Act
    const numbers = runNumbers(runs);
    // Assert
    expect([...numbers]).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
  });
});

describe('parseRunNumber', () => {
  it('returns the number of #42 and null for anything else', () => {
    expect(parseRunNumber('#42')).toBe(42);
    expect(parseRunNumber(' #7 ')).toBe(7);
    for (const text of ['42', '#0', '#-1', '#4a', 'run-42', '#'])
      expect(parseRunNumber(text), text).toBeNull();
  });
});
