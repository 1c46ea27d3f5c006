/** One measured figure. `ratio` is ours ÷ peer (or peer ÷ ours where smaller-is-better; `target` says which). */
export interface BenchRow {
  readonly name: string;
  readonly value: number | string;
  readonly unit: string;
  readonly peer?: string;
  readonly ratio?: number;
  readonly target?: string;
  readonly met?: boolean;
}

export interface BenchResult {
  readonly rows: readonly BenchRow[];
}

export function formatTable(section: string, rows: readonly BenchRow[]): string {
  const fmt = (v: number | string | undefined, digits = 2) =>
    v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(digits)) : v;
  const lines = [
    `### ${section}`,
    '',
    '| measure | value | unit | peer | ratio | target | met |',
    '|---|---:|---|---|---:|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.peer ?? ''} | ${fmt(r.ratio)} | ${r.target ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |`,
    ),
  ];
  return lines.join('\n');
}
