import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { InvalidInputError } from '../errors.js';
import type { PrometheusSample } from '../ports/app-metrics.js';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

type Labels = Readonly<Record<string, string>>;

/**
 * Parses a Prometheus text exposition into one sample per series, with numeric values.
 *
 * parse-prometheus-text-format reads every line (escapes, NaN/±Inf, timestamps), but its grouping of
 * histograms and summaries merges series that carry labels besides `le`/`quantile` and drops their
 * count and sum (its open issue #13; the fix, PR #8, was never merged). So the text is parsed twice:
 * once for each family's declared type, once with the histogram and summary TYPE lines left out,
 * which makes the library return their `_bucket`, `_sum` and `_count` lines as plain series with
 * every label intact; those are grouped back into histograms and summaries here. Every value and
 * label still comes from the library's line parser.
 */
export function parseExposition(text: string): PrometheusSample[] {
  const typed = parse(text);
  const compound = new Map<string, 'histogram' | 'summary'>();
  for (const family of typed) {
    if (family.type === 'HISTOGRAM') compound.set(family.name, 'histogram');
    if (family.type === 'SUMMARY') compound.set(family.name, 'summary');
  }
  const untyped = text
    .split('\n')
    .filter((line) => {
      const declared = /^#\s*TYPE\s+(\S+)\s+(histogram|summary)\s*$/.exec(line);
      return !(declared && compound.has(declared[1]!));
    })
    .join('\n');
  const samples: PrometheusSample[] = [];
  const groups = new Map<string, Group>();
  for (const family of parse(untyped)) {
    for (const metric of family.metrics) {
      const value = number(metric.value, family.name);
      const labels = metric.labels ?? {};
      const owner = compoundOwner(family.name, compound);
      if (!owner) {
        samples.push({ type: simpleType(typed, family.name), name: family.name, labels, value });
        continue;
      }
      const { name, part } = owner;
      const kind = compound.get(name)!;
      const { le, quantile, ...series } = labels;
      const key = `${name}${JSON.stringify(Object.entries(series).sort())}`;
      let group = groups.get(key);
      if (!group) {
        group = {
          kind,
          name,
          labels: series,
          buckets: [],
          quantiles: [],
          count: Number.NaN,
          sum: Number.NaN,
        };
        groups.set(key, group);
      }
      if (part === '_bucket' && le !== undefined) group.buckets.push({ le: number(le, name), count: value });
      else if (part === '' && quantile !== undefined)
        group.quantiles.push({ quantile: number(quantile, name), value });
      else if (part === '_count') group.count = value;
      else if (part === '_sum') group.sum = value;
    }
  }
  for (const group of groups.values()) samples.push(toSample(group));
  return samples;
}

interface Group {
  readonly kind: 'histogram' | 'summary';
  readonly name: string;
  readonly labels: Labels;
  readonly buckets: Array<{ le: number; count: number }>;
  readonly quantiles: Array<{ quantile: number; value: number }>;
  count: number;
  sum: number;
}

function toSample(group: Group): PrometheusSample {
  const { name, labels, sum } = group;
  if (group.kind === 'summary') {
    const quantiles = [...group.quantiles].sort((a, b) => a.quantile - b.quantile);
    return { type: 'summary', name, labels, quantiles, count: group.count, sum };
  }
  const buckets = [...group.buckets].sort((a, b) => a.le - b.le);
  // `_count` equals the +Inf bucket by definition; an exposition that omits it still has the bucket.
  const count = Number.isNaN(group.count) ? (buckets.at(-1)?.count ?? 0) : group.count;
  return { type: 'histogram', name, labels, buckets, count, sum };
}

function parse(text: string): ParsedFamily[] {
  let families: ParsedFamily[];
  try {
    // The library closes a family only when it reads the next line, so text without a final
    // newline (the format requires one, some apps omit it) would lose its last family.
    families = parsePrometheusTextFormat(text.endsWith('\n') ? text : `${text}\n`);
  } catch (error) {
    throw new InvalidInputError(`not the Prometheus text format: ${(error as Error).message}`);
  }
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) {
      throw new InvalidInputError(
        `not the Prometheus text format: "${family.name.slice(0, 60)}" is not a metric name`,
      );
    }
  }
  return families;
}

function compoundOwner(name: string, compound: ReadonlyMap<string, unknown>) {
  for (const part of ['_bucket', '_count', '_sum', ''] as const) {
    if (name.endsWith(part) && compound.has(name.slice(0, name.length - part.length))) {
      return { name: name.slice(0, name.length - part.length), part };
    }
  }
  return undefined;
}

function simpleType(typed: readonly ParsedFamily[], name: string): 'counter' | 'gauge' | 'untyped' {
  const type = typed.find((f) => f.name === name)?.type;
  return type === 'COUNTER' ? 'counter' : type === 'GAUGE' ? 'gauge' : 'untyped';
}

/** The text format's numbers, including NaN, +Inf and -Inf. */
function number(raw: string | undefined, name: string): number {
  const text = raw?.trim() ?? '';
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) {
    throw new InvalidInputError(`not the Prometheus text format: "${name}" has the value "${text}"`);
  }
  return value;
}
