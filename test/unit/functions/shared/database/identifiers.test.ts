import { describe, expect, it } from 'vitest';
import { quoteIdent, quoteTable } from '../../../../../functions/shared/database/identifiers.js';

describe('quoteIdent', () => {
  it('returns the name in double quotes when it is plain', () => {
    // Arrange
    const name = 'customers';
    // Act
    const quoted = quoteIdent(name);
    // Assert
    expect(quoted).toBe('"customers"');
  });

  it('returns embedded quotes doubled when the name tries to close the identifier', () => {
    // Arrange
    const name = 'x"; DROP TABLE customers; --';
    // Act
    const quoted = quoteIdent(name);
    // Assert
    expect(quoted).toBe('"x""; DROP TABLE customers; --"');
  });

  it('throws a ConfigError when the name is empty', () => {
    // Arrange / Act / Assert
    expect(() => quoteIdent('')).toThrow(/identifier must be a non-empty string/);
  });

  it('throws a ConfigError when the name contains a NUL character', () => {
    // Arrange / Act / Assert
    expect(() => quoteIdent('a\0b')).toThrow(expect.objectContaining({ name: 'Tollgate.ConfigError' }));
  });

  it('throws when the name is longer than Postgres would keep', () => {
    // Arrange
    const long = 'a'.repeat(64);
    // Act / Assert
    expect(() => quoteIdent(long)).toThrow(/longer than 63 bytes/);
  });
});

describe('quoteTable', () => {
  it('returns schema and table quoted separately when the name is schema-qualified', () => {
    // Arrange / Act
    const quoted = quoteTable('sales.orders');
    // Assert
    expect(quoted).toBe('"sales"."orders"');
  });

  it('throws when the name has an empty part or more than one dot', () => {
    // Arrange / Act / Assert
    expect(() => quoteTable('a..b')).toThrow(/must be "table" or "schema.table"/);
    expect(() => quoteTable('.orders')).toThrow(/must be "table" or "schema.table"/);
  });
});
