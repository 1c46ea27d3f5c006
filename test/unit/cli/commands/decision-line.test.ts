import { describe, expect, it } from 'vitest';
import { decisionLine } from '../../../../cli/commands/decide.js';

describe('decisionLine', () => {
  it('returns that a rejected run stops at the gate, not that it continues', () => {
    // Act
    const line = decisionLine('reject', 'run-1', 'prod', { outcome: 'decided', delivered: true });
    // Assert
    expect(line).toBe("rejected run-1 for prod; the run stops at prod's gate and ends failed");
  });

  it('returns that an approved run continues into the environment', () => {
    // Act
    const line = decisionLine('approve', 'run-1', 'prod', { outcome: 'decided', delivered: true });
    // Assert
    expect(line).toBe('approved run-1 for prod; the run continues into prod');
  });

  it("returns what a restore approval's decision does to the data, not that the run continues", () => {
    // Act
    const approved = decisionLine(
      'approve',
      'run-1',
      'prod',
      { outcome: 'decided', delivered: true },
      'restore',
    );
    const rejected = decisionLine(
      'reject',
      'run-1',
      'prod',
      { outcome: 'decided', delivered: true },
      'restore',
    );
    // Assert
    expect(approved).toBe(
      'approved run-1 for prod: its data is restored from the checkpoint taken before the migration',
    );
    expect(rejected).toBe('rejected run-1 for prod: its data stays as it is (no restore)');
  });
});
