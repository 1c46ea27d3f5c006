import { BadRequestError } from './errors.js';

/**
 * Opaque page cursors: the sort key of the last row served, so a page stays put while new runs
 * arrive at the top (an offset would shift under them).
 */
export interface RunCursor {
  readonly startDate: number;
  readonly name: string;
}

export function encodeCursor(cursor: RunCursor): string {
  return Buffer.from(JSON.stringify([cursor.startDate, cursor.name])).toString('base64url');
}

export function decodeCursor(text: string): RunCursor {
  const fail = () =>
    new BadRequestError('cursor is not one this console issued; start again from the first page');
  if (text.length > 400 || !/^[A-Za-z0-9_-]+$/.test(text)) throw fail();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw fail();
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== 'number' ||
    !Number.isFinite(value[0]) ||
    typeof value[1] !== 'string'
  ) {
    throw fail();
  }
  return { startDate: value[0], name: value[1] };
}

/** Newest first, then by name descending, as ListExecutions orders them. */
export function compareRuns(a: RunCursor, b: RunCursor): number {
  return b.startDate - a.startDate || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);
}
