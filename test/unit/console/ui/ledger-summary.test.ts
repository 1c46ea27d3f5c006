import { describe, expect, it } from 'vitest';
import { ledgerSummary, replacedNote } from '../../../../console/ui/ledger-summary.js';

describe('ledgerSummary', () => {
  it('returns what a migration applied and how many the database holds', () => {
    // Arrange
    const applied = {
      kind: 'migrations-applied',
      data: { applied: ['0003_unique'], present: ['a', 'b', 'c'] },
    };
    const none = { kind: 'migrations-applied', data: { applied: [], present: ['a'] } };
    // Act / Assert
    expect(ledgerSummary(applied)).toBe('applied 0003_unique; the database holds 3 migration(s)');
    expect(ledgerSummary(none)).toBe('nothing new to apply; the database holds 1 migration(s)');
  });

  it('returns a rollback with the failure it undid in words, not [object Object]', () => {
    // Arrange
    const entry = {
      kind: 'rollback',
      data: {
        failedVersion: 'r15-aaaa',
        restoredVersion: 'r14-bbbb',
        reason: { stage: 'smoke-test', error: 'Tollgate.SmokeTestFailed', cause: 'GET /health 500' },
      },
    };
    // Act
    const line = ledgerSummary(entry);
    // Assert
    expect(line).toBe(
      'r15-aaaa rolled back to r14-bbbb: smoke-test failed: Tollgate.SmokeTestFailed: GET /health 500',
    );
  });

  it('returns where a failed run got to and that it was rolled back, not "reached none"', () => {
    // Arrange
    const entry = {
      kind: 'run-summary',
      data: {
        status: 'FAILED',
        environmentsReached: [],
        failure: { stage: 'deploy', environment: 'prod', rolledBack: { restoredVersion: 'r14-bbbb' } },
      },
    };
    // Act
    const line = ledgerSummary(entry);
    // Assert
    expect(line).toBe('FAILED · reached prod, failed there at deploy, rolled back to r14-bbbb');
  });

  it('returns the environments a successful run reached', () => {
    // Act
    const line = ledgerSummary({
      kind: 'run-summary',
      data: { status: 'SUCCEEDED', environmentsReached: ['test', 'prod'] },
    });
    // Assert
    expect(line).toBe('SUCCEEDED · reached test, prod');
  });
});

describe('replacedNote', () => {
  it('returns nothing for a rollback, whose previous version is the one it restores', () => {
    // Act
    const notes = [
      replacedNote({ kind: 'rollback', version: 'r14', previousVersion: 'r14', failedVersion: 'r15' }),
      replacedNote({ kind: 'promotion', version: 'r15', previousVersion: 'r14' }),
    ];
    // Assert
    expect(notes).toEqual(['', ' (was r14)']);
  });
});
