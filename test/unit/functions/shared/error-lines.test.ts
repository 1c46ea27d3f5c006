import { describe, expect, it } from 'vitest';
import { firstErrorLines } from '../../../../functions/shared/error-lines.js';

describe('firstErrorLines', () => {
  it('returns the error lines before a stack trace and an error object, not the frames after them', () => {
    // Arrange
    const output = [
      '> Migrating files:',
      '### MIGRATION 1700000000001_bad (UP) ###',
      'Error executing:',
      'ALTER TABLE orders ADD COLUMN total_cents integer NOT NULL;',
      'error: column "total_cents" of relation "orders" contains null values',
      '    at /app/node_modules/pg/lib/client.js:535:17',
      '  File "alembic/env.py", line 3, in <module>',
      "  severity: 'ERROR',",
      "  code: '23502',",
    ];

    // Act
    const lines = firstErrorLines(output, 2);

    // Assert
    expect(lines).toEqual([
      'Error executing:',
      'error: column "total_cents" of relation "orders" contains null values',
    ]);
  });

  it('returns nothing for output without an error line, and each repeated line once', () => {
    // Act / Assert
    expect(firstErrorLines(['Migrations complete!', 'errors: none? no such word here'])).toEqual([]);
    expect(firstErrorLines(['FATAL: password rejected', 'FATAL: password rejected', 'build failed'])).toEqual(
      ['FATAL: password rejected', 'build failed'],
    );
  });
});
