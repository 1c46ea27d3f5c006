import { describe, expect, it } from 'vitest';
import { failureLines } from '../../../../cli/commands/show.js';

describe('failureLines', () => {
  it('returns the whole cause of a failed run, past 200 characters and on every line', () => {
    // Arrange
    const cause = `unique check on customers.email failed: ${'x'.repeat(220)} is duplicated\nsample: k1, k2`;
    // Act
    const lines = failureLines('Tollgate.DataCheckFailed', cause);
    // Assert
    expect(lines[0]).toMatch(/^failed: Tollgate\.DataCheckFailed unique check .* is duplicated$/);
    expect(lines).toEqual([lines[0], '  sample: k1, k2']);
  });
});
