import { describe, expect, it } from 'vitest';
import { describePgError, maskValue } from '../../../../../functions/shared/database/masked-value.js';
import { MaskingFailedError } from '../../../../../functions/shared/errors.js';

describe('maskValue', () => {
  it('returns the first character, stars and a short hash tag when given a value', () => {
    // Arrange / Act
    const masked = maskValue('ann@example.com');
    // Assert
    expect(masked).toMatch(/^a\*\*\*~[0-9a-f]{4}$/);
    expect(masked).not.toContain('example');
  });

  it('returns different tags when two values share a first character', () => {
    // Arrange / Act / Assert
    expect(maskValue('ann@example.com')).not.toBe(maskValue('anna@example.com'));
  });

  it('returns NULL and an empty marker when the value is null or empty', () => {
    // Arrange / Act / Assert
    expect(maskValue(null)).toBe('NULL');
    expect(maskValue('')).toBe("''");
  });
});

describe('describePgError', () => {
  it("does not report a Tollgate error's own code as the database's SQLSTATE", () => {
    // Arrange
    const error = new MaskingFailedError('masking rule people.email failed');
    // Act
    const described = describePgError(error);
    // Assert
    expect(error.code).toBe('masking-failed');
    expect(described.code).toBe('XX000');
  });

  it('returns the duplicated key masked when Postgres reports a unique violation', () => {
    // Arrange
    const error = Object.assign(new Error('could not create unique index "k"'), {
      code: '23505',
      detail: 'Key (lower(email))=(ann@example.com) is duplicated.',
    });
    // Act
    const described = describePgError(error);
    // Assert
    expect(described.code).toBe('23505');
    expect(described.message).toMatch(
      /^could not create unique index "k": Key \(lower\(email\)\)=\(a\*\*\*~[0-9a-f]{4}\) is duplicated\.$/,
    );
    expect(described.message).not.toContain('ann@example.com');
  });

  it('returns the failing row masked when a NOT NULL violation quotes it', () => {
    // Arrange
    const error = Object.assign(new Error('null value in column "name"'), {
      code: '23502',
      detail: 'Failing row contains (1, ann@example.com, null).',
    });
    // Act
    const described = describePgError(error);
    // Assert
    expect(described.message).not.toContain('ann@example.com');
    expect(described.message).toContain('Failing row contains (1***~');
  });

  it('returns the message without the detail when the detail has an unknown shape', () => {
    // Arrange
    const error = Object.assign(new Error('something'), {
      code: '22000',
      detail: 'value was secret@corp.com',
    });
    // Act
    const described = describePgError(error);
    // Assert
    expect(described.message).toBe('something');
  });

  it('returns a masked value when an input syntax error quotes the data', () => {
    // Arrange
    const error = Object.assign(new Error('invalid input syntax for type integer: "555-1234"'), {
      code: '22P02',
    });
    // Act
    const described = describePgError(error);
    // Assert
    expect(described.message).toMatch(/^invalid input syntax for type integer: 5\*\*\*~[0-9a-f]{4}$/);
  });

  it('returns one line when the message spans several', () => {
    // Arrange
    const error = Object.assign(new Error('syntax error\n  at line 2'), { code: '42601' });
    // Act / Assert
    expect(describePgError(error).message).toBe('syntax error at line 2');
  });
});
