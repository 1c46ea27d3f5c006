/**
 * Human lines by default, one JSON document with `--json`. The JSON shapes are the stable,
 * documented interface (docs/cli.md); the human lines may change.
 */
export function emit(json: boolean | undefined, value: unknown, lines: () => string[]): void {
  if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else {
    const text = lines().join('\n');
    if (text) process.stdout.write(`${text}\n`);
  }
}

export function isoOrNull(date: Date | number | undefined): string | null {
  if (date === undefined) return null;
  const value = date instanceof Date ? date : new Date(date);
  return Number.isNaN(value.getTime()) ? null : value.toISOString();
}

/** Columns padded to the widest cell, for small terminal tables. */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}
