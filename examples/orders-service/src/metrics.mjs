// The orders-service's /metrics, in the Prometheus text exposition format (version 0.0.4). Written
// by hand because a release is dependency-free (scripts/build.mjs packs src/ only, no node_modules);
// only the writer lives here: Tollgate reads it with a maintained parser. Canary analysis compares
// the canary's numbers with the baseline's, e.g. orders_db_query_duration_seconds{query="recent_orders"}.

/** Default latency buckets in seconds, prom-client's defaults. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const escapeLabel = (value) =>
  String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (text) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const labelText = (pairs) =>
  pairs.length ? `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
const number = (n) => (n === Number.POSITIVE_INFINITY ? '+Inf' : String(n));

class Family {
  constructor(name, help, labelNames) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`"${name}" is not a metric name`);
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    this.series = new Map();
  }

  /** The series for `labels`, created on first use; every declared label must be given. */
  at(labels, create) {
    const values = this.labelNames.map((k) => {
      if (labels[k] === undefined) throw new Error(`${this.name} needs the label "${k}"`);
      return String(labels[k]);
    });
    const key = JSON.stringify(values);
    if (!this.series.has(key))
      this.series.set(key, { pairs: this.labelNames.map((k, i) => [k, values[i]]), ...create() });
    return this.series.get(key);
  }

  header(type) {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${type}`];
  }
}

export class Counter extends Family {
  inc(labels, by = 1) {
    this.at(labels, () => ({ value: 0 })).value += by;
  }

  lines() {
    const body = [...this.series.values()].map((s) => `${this.name}${labelText(s.pairs)} ${number(s.value)}`);
    return [...this.header('counter'), ...body];
  }
}

export class Histogram extends Family {
  constructor(name, help, labelNames, buckets = BUCKETS) {
    super(name, help, labelNames);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  observe(labels, seconds) {
    const series = this.at(labels, () => ({ counts: this.buckets.map(() => 0), count: 0, sum: 0 }));
    this.buckets.forEach((le, i) => {
      if (seconds <= le) series.counts[i] += 1;
    });
    series.count += 1;
    series.sum += seconds;
  }

  /** Runs `work` (sync or async) and observes how long it took, whether it succeeded or threw. */
  async time(labels, work) {
    const started = process.hrtime.bigint();
    try {
      return await work();
    } finally {
      this.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  lines() {
    const out = this.header('histogram');
    for (const s of this.series.values()) {
      this.buckets.forEach((le, i) => {
        out.push(`${this.name}_bucket${labelText([...s.pairs, ['le', number(le)]])} ${s.counts[i]}`);
      });
      out.push(`${this.name}_bucket${labelText([...s.pairs, ['le', '+Inf']])} ${s.count}`);
      out.push(`${this.name}_sum${labelText(s.pairs)} ${number(s.sum)}`);
      out.push(`${this.name}_count${labelText(s.pairs)} ${s.count}`);
    }
    return out;
  }
}

/** The whole page; every line ends with a newline, as the format requires. */
export function exposition(families) {
  return `${families.flatMap((f) => f.lines()).join('\n')}\n`;
}

/** The content type Prometheus expects for this format. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
