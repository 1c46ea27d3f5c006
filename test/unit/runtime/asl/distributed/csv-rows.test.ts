import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsvRows } from '../../../../../runtime/asl/distributed/csv-rows.js';

/** Writes rows as RFC 4180 text, quoting every field that needs it. */
function toCsv(rows: string[][], delimiter: string, eol: string): string {
  const field = (f: string) =>
    /["\r\n]/.test(f) || f.includes(delimiter) ? `"${f.replaceAll('"', '""')}"` : f;
  return rows.map((row) => row.map(field).join(delimiter)).join(eol);
}

describe('parseCsvRows', () => {
  it('returns fields with delimiters, line breaks and doubled quotes inside quotes', () => {
    // Act
    const rows = parseCsvRows('name,note\r\n"Paris, FR","say ""hi""\nthen go"\r\nbob,plain\n');

    // Assert
    expect(rows).toEqual([
      ['name', 'note'],
      ['Paris, FR', 'say "hi"\nthen go'],
      ['bob', 'plain'],
    ]);
  });

  it('returns rows of any length, split on the given delimiter', () => {
    // Act
    const rows = parseCsvRows('a|b|c\n1\n1|2|3|4', '|');

    // Assert
    expect(rows).toEqual([['a', 'b', 'c'], ['1'], ['1', '2', '3', '4']]);
  });

  it('keeps a quote inside an unquoted field and drops a byte order mark', () => {
    // Act
    const rows = parseCsvRows('\uFEFFid,size\n7,5" disk\n');

    // Assert
    expect(rows).toEqual([
      ['id', 'size'],
      ['7', '5" disk'],
    ]);
  });

  it('throws a one-line error naming the problem when a quoted field is never closed', () => {
    // Act
    const parse = () => parseCsvRows('a,b\n"open,1\n');

    // Assert
    expect(parse).toThrow(/^CSV: Quote Not Closed/);
    try {
      parse();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('reads back any rows written as RFC 4180 text', () => {
    const row = fc.array(
      fc.string({ unit: fc.constantFrom('a', 'b', ',', ';', '"', '\n', '\r', ' ', 'é') }),
      {
        minLength: 2,
        maxLength: 4,
      },
    );
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(',', ';'),
        fc.constantFrom('\n', '\r\n'),
        (rows, delimiter, eol) => {
          expect(parseCsvRows(toCsv(rows, delimiter, eol), delimiter)).toEqual(rows);
        },
      ),
    );
  });
});
