import type { ThresholdConfig } from '../shared/config/schema.js';
import type { ReportFile } from '../shared/ports/test-runner.js';

export interface ThresholdResult {
  readonly metric: string;
  readonly file: string;
  /** The number read from the file; null when it is not there (the threshold then fails). */
  readonly value: number | null;
  readonly max?: number;
  readonly min?: number;
  readonly unit?: string;
  readonly passed: boolean;
  /** One line: what was measured against what, or why nothing was. */
  readonly detail: string;
}

/**
 * Judges each threshold against the JSON summary its command wrote: a missing file, bad JSON or a
 * missing or non-numeric value fails the threshold (a performance gate that measured nothing must
 * not pass).
 */
export function judgeThresholds(
  thresholds: readonly ThresholdConfig[],
  summaries: Readonly<Record<string, ReportFile>>,
): ThresholdResult[] {
  return thresholds.map((t) => {
    const unit = t.unit ? ` ${t.unit}` : '';
    const base = {
      metric: t.metric,
      file: t.file,
      ...(t.max !== undefined ? { max: t.max } : {}),
      ...(t.min !== undefined ? { min: t.min } : {}),
      ...(t.unit ? { unit: t.unit } : {}),
    };
    const read = readMetric(summaries[t.file], t.metric, t.file);
    if (typeof read === 'string') return { ...base, value: null, passed: false, detail: read };
    const value = read;
    if (t.max !== undefined && value > t.max)
      return { ...base, value, passed: false, detail: `${t.metric} ${value}${unit} > max ${t.max}${unit}` };
    if (t.min !== undefined && value < t.min)
      return { ...base, value, passed: false, detail: `${t.metric} ${value}${unit} < min ${t.min}${unit}` };
    const bounds = [t.min !== undefined ? `min ${t.min}` : '', t.max !== undefined ? `max ${t.max}` : '']
      .filter(Boolean)
      .join(', ');
    return { ...base, value, passed: true, detail: `${t.metric} ${value}${unit} within ${bounds}${unit}` };
  });
}

/** The number at a dotted path, or one line saying why there is none. */
function readMetric(file: ReportFile | undefined, metric: string, path: string): number | string {
  if (!file) return `${path} was not written`;
  let json: unknown;
  try {
    json = JSON.parse(file.content);
  } catch (error) {
    return `${file.path} is not JSON (${(error as Error).message.split('\n')[0]})`;
  }
  let at: unknown = json;
  for (const key of metric.split('.')) {
    if (typeof at !== 'object' || at === null || Array.isArray(at) || !Object.hasOwn(at, key))
      return `${file.path} has no "${metric}"`;
    at = (at as Record<string, unknown>)[key];
  }
  if (typeof at !== 'number' || !Number.isFinite(at))
    return `${file.path}: "${metric}" is ${JSON.stringify(at)}, not a number`;
  return at;
}
