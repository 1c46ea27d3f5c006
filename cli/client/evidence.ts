/**
 * One line of evidence per stage for the terminal, read from the stage's task result. The
 * results' exact shapes belong to the tasks; this reads the common forms (a list of named checks
 * that passed or not, and a few well-known scalars) and leaves the full result to `--json`.
 */
const SCALARS = [
  'version',
  'digest',
  'snapshotId',
  'snapshot',
  'source',
  'sourceVolume',
  'createdAt',
  'totalRows',
  'applied',
  'state',
  'previous',
  'approvedBy',
];

export function evidenceLine(result: unknown): string {
  if (!result || typeof result !== 'object') return '';
  const record = result as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['checks', 'evidence', 'rules', 'results']) {
    const list = record[key] ?? (record.smokeTests as Record<string, unknown> | undefined)?.[key];
    if (Array.isArray(list)) parts.push(...list.slice(0, 8).map(checkLine).filter(Boolean));
  }
  for (const key of SCALARS) {
    const value = record[key];
    if (typeof value === 'string' || typeof value === 'number')
      parts.push(`${key} ${String(value).slice(0, 80)}`);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
      parts.push(`${key} ${value.join(', ')}`);
  }
  return parts.join('; ');
}

function checkLine(item: unknown): string {
  if (!item || typeof item !== 'object') return '';
  const c = item as Record<string, unknown>;
  const name = c.name ?? c.check ?? c.column ?? c.table;
  if (typeof name !== 'string') return '';
  const ok = c.ok ?? c.passed;
  const mark = ok === true ? '✓' : ok === false ? '✗' : '·';
  const extra =
    typeof c.status === 'number'
      ? ` ${c.status}`
      : typeof c.violations === 'number'
        ? ` (${c.violations} violations)`
        : typeof c.rows === 'number'
          ? ` (${c.rows} rows)`
          : '';
  return `${mark} ${name}${extra}`;
}
