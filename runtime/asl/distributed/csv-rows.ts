import { parse } from 'csv-parse/sync';

/**
 * The rows of an ItemReader CSV object, parsed by csv-parse (RFC 4180: double-quoted fields may
 * hold delimiters, line breaks and doubled quotes; CRLF, LF or CR ends a row; a trailing line break
 * adds no empty row). Rows may be shorter or longer than the header: the item reader pads or
 * refuses them with its own message, so csv-parse does not check counts. A quote inside an
 * unquoted field is kept as a character, and a UTF-8 byte order mark is dropped.
 */
export function parseCsvRows(text: string, delimiter = ','): string[][] {
  try {
    return parse(text, {
      delimiter,
      // Each line break on its own: csv-parse would otherwise take the first one for the whole text.
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      relax_quotes: true,
      bom: true,
    });
  } catch (error) {
    // csv-parse's messages are one line and name the line; its error codes stay with the cause.
    throw new Error(`CSV: ${(error as Error).message}`, { cause: error });
  }
}
