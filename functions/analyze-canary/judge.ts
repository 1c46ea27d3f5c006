/**
 * The canary judge: pure, no ports. One check compares the canary's reading with its thresholds and
 * with the baseline's reading over the same window; a step passes only when every check passes.
 */

export const Verdict = { Pass: 'pass', Fail: 'fail', Inconclusive: 'inconclusive' } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** One release's value of a metric over the window, with how many samples it rests on (if known). */
export interface Reading {
  /** Undefined when the release produced no value (no requests, no such series). */
  readonly value?: number;
  /** Requests, or a histogram/summary's count; undefined for a plain gauge or counter. */
  readonly samples?: number;
}

interface CheckBounds {
  readonly max?: number;
  readonly min?: number;
  /** The canary may exceed the baseline by at most this (absolute, the metric's unit). */
  readonly maxIncrease?: number;
  /** Fewer samples than this in the canary's (or, for maxIncrease, the baseline's) window: inconclusive. */
  readonly minSamples?: number;
}

export interface CheckInput extends CheckBounds {
  /** What is measured, as people read it: `error-rate`, `db_query_seconds{quantile="0.99"}`. */
  readonly metric: string;
  readonly canary: Reading;
  readonly baseline: Reading;
}

type ThresholdKind = 'max' | 'min' | 'maxIncrease';

export interface CheckResult {
  readonly metric: string;
  readonly verdict: Verdict;
  readonly value: number | null;
  readonly baseline: number | null;
  /** The bound the value was held to; for maxIncrease, baseline + maxIncrease. Null when not judged. */
  readonly threshold: number | null;
  /** Which bound: the one that failed, or the tightest one that was checked. */
  readonly thresholdKind: ThresholdKind | null;
  readonly samples: number | null;
  readonly baselineSamples: number | null;
  /** One line a person can act on: `0.31 > max 0.05`, `12 of 20 samples`. */
  readonly reason: string;
}

export interface StepJudgement {
  readonly verdict: Verdict;
  readonly checks: readonly CheckResult[];
  /** The check the step's verdict rests on: the first failing one, else the first inconclusive one. */
  readonly decisive: CheckResult | null;
}

const usable = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n);

/** Enough significant digits to tell 0.05 from 0.0500001 in a reason, without float noise. */
function show(n: number): string {
  return String(Number(n.toPrecision(6)));
}

export function judgeCheck(input: CheckInput): CheckResult {
  const value = usable(input.canary.value) ? input.canary.value : null;
  const baseline = usable(input.baseline.value) ? input.baseline.value : null;
  const base = {
    metric: input.metric,
    value,
    baseline,
    samples: input.canary.samples ?? null,
    baselineSamples: input.baseline.samples ?? null,
  };
  const inconclusive = (reason: string): CheckResult => ({
    ...base,
    verdict: Verdict.Inconclusive,
    threshold: null,
    thresholdKind: null,
    reason,
  });
  if (input.max === undefined && input.min === undefined && input.maxIncrease === undefined) {
    // The schema refuses such a check; a judge that passed it would be a key that does nothing.
    throw new Error(`check ${input.metric} has no max, min or maxIncrease`);
  }
  const minSamples = input.minSamples ?? 0;
  const short = (r: Reading) => r.samples !== undefined && r.samples < minSamples;
  if (short(input.canary)) return inconclusive(`canary: ${input.canary.samples} of ${minSamples} samples`);
  if (value === null) return inconclusive('canary: no value in the window');
  const failed = (kind: ThresholdKind, threshold: number, reason: string): CheckResult => ({
    ...base,
    verdict: Verdict.Fail,
    threshold,
    thresholdKind: kind,
    reason,
  });
  if (input.max !== undefined && value > input.max)
    return failed('max', input.max, `${show(value)} > max ${show(input.max)}`);
  if (input.min !== undefined && value < input.min)
    return failed('min', input.min, `${show(value)} < min ${show(input.min)}`);
  if (input.maxIncrease !== undefined) {
    if (short(input.baseline))
      return inconclusive(`baseline: ${input.baseline.samples} of ${minSamples} samples`);
    if (baseline === null) return inconclusive('baseline: no value in the window');
    const limit = baseline + input.maxIncrease;
    if (value > limit) {
      return failed(
        'maxIncrease',
        limit,
        `${show(value)} > baseline ${show(baseline)} + maxIncrease ${show(input.maxIncrease)}`,
      );
    }
  }
  const [kind, threshold] = tightest(input, baseline);
  return { ...base, verdict: Verdict.Pass, threshold, thresholdKind: kind, reason: 'within bounds' };
}

/** The upper bound that binds (the lower of max and baseline + maxIncrease), else min. */
function tightest(bounds: CheckBounds, baseline: number | null): [ThresholdKind, number] {
  const uppers: Array<[ThresholdKind, number]> = [];
  if (bounds.max !== undefined) uppers.push(['max', bounds.max]);
  if (bounds.maxIncrease !== undefined && baseline !== null)
    uppers.push(['maxIncrease', baseline + bounds.maxIncrease]);
  if (uppers.length) return uppers.reduce((a, b) => (b[1] < a[1] ? b : a));
  return ['min', bounds.min!];
}

/** A step fails on any failing check, is inconclusive on any inconclusive one, and passes otherwise. */
export function judgeStep(inputs: readonly CheckInput[]): StepJudgement {
  if (inputs.length === 0) throw new Error('a canary step needs at least one check to judge');
  const checks = inputs.map(judgeCheck);
  const fail = checks.find((c) => c.verdict === Verdict.Fail);
  if (fail) return { verdict: Verdict.Fail, checks, decisive: fail };
  const open = checks.find((c) => c.verdict === Verdict.Inconclusive);
  if (open) return { verdict: Verdict.Inconclusive, checks, decisive: open };
  return { verdict: Verdict.Pass, checks, decisive: null };
}
