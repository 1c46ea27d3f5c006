import { idempotencyKey, targetEnvironment } from '../deploy/target-environment.js';
import type { Clock } from '../shared/clock.js';
import type { AnalysisCheckConfig, TollgateConfig } from '../shared/config/schema.js';
import { ConfigError, InvalidInputError } from '../shared/errors.js';
import type { AppMetrics } from '../shared/ports/app-metrics.js';
import type { CloudChecks } from '../shared/ports/cloud-checks.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { MetricsSource } from '../shared/ports/metrics-source.js';
import { cloudCheckInput } from './cloud-readings.js';
import type { AnalyzeCanaryInput } from './input.js';
import { type CheckInput, type CheckResult, judgeStep, type Verdict } from './judge.js';
import { parseSelector, prometheusReading, requestReading } from './readings.js';

/**
 * An inconclusive step waits another interval and looks again, at most this many times; the look
 * after the last extra wait that is still inconclusive aborts the canary.
 */
const MAX_EXTRA_WAITS = 3;

export interface CanaryAnalysis {
  readonly environment: string;
  readonly step: number;
  readonly percent: number;
  readonly look: number;
  readonly canary: string;
  readonly baseline: string;
  readonly since: string;
  readonly until: string;
  /**
   * The decision: `pass`, `fail`, or `inconclusive`, which the state machine turns into another
   * wait; after MAX_EXTRA_WAITS extra waits an inconclusive step is reported as `fail`.
   */
  readonly verdict: Verdict;
  readonly checks: readonly CheckResult[];
  /** The check the verdict rests on, null when every check passed. */
  readonly decisive: CheckResult | null;
  /** One line for the failure record and the terminal. */
  readonly summary: string;
  readonly ledgerSeq: number;
}

export interface AnalyzeCanaryPorts {
  readonly config: TollgateConfig;
  readonly metrics: MetricsSource;
  readonly appMetrics: AppMetrics;
  /** AWS only: `cloudwatch` and `alarm` checks (the local run refuses them at start-up). */
  readonly cloudChecks?: CloudChecks;
  readonly ledger: Ledger;
  readonly clock: Clock;
}

/**
 * analyze-canary: reads every analysis check of the environment's strategy for the canary and the
 * baseline over the step's window (from the shift to now, by the clock port), judges them with the
 * pure judge and records the step in the ledger. It never waits: the Wait state before it did.
 *
 * Input:  { executionArn, stateName, pipeline, environment, release, baseline, step, since, look }
 * Output: CanaryAnalysis
 */
export async function analyzeCanary(
  input: AnalyzeCanaryInput,
  ports: AnalyzeCanaryPorts,
): Promise<CanaryAnalysis> {
  const env = targetEnvironment(ports.config, input.pipeline, input.environment);
  if (env.strategy.type === 'all-at-once') {
    throw new InvalidInputError(`environment "${env.name}" deploys all at once; it has no canary to analyze`);
  }
  const percent = env.strategy.steps[input.step];
  if (percent === undefined) {
    throw new InvalidInputError(`step ${input.step} is past the last of ${env.strategy.steps.length} steps`);
  }
  const since = new Date(input.since);
  const until = ports.clock.now();
  if (until.getTime() < since.getTime()) {
    throw new InvalidInputError(
      `the step's window starts (${input.since}) after now (${until.toISOString()})`,
    );
  }
  const read = reader(ports, env.name, input.release.version, input.baseline, since, until);
  const judged = judgeStep(await Promise.all(env.strategy.analysis.map(read)));
  const exhausted = judged.verdict === 'inconclusive' && input.look > MAX_EXTRA_WAITS;
  const verdict: Verdict = exhausted ? 'fail' : judged.verdict;
  const where = `step ${input.step + 1} (${percent}%)`;
  const d = judged.decisive;
  const versus =
    d && d.verdict === 'fail' && d.thresholdKind !== 'maxIncrease' && d.baseline !== null
      ? ` (baseline ${d.baseline})`
      : '';
  const summary = d
    ? `${d.metric}: ${d.reason}${versus} at ${where}${exhausted ? `, still inconclusive after ${input.look} looks` : ''}`
    : `every check passed at ${where}`;
  const result = {
    environment: env.name,
    step: input.step,
    percent,
    look: input.look,
    canary: input.release.version,
    baseline: input.baseline,
    since: since.toISOString(),
    until: until.toISOString(),
    verdict,
    checks: judged.checks,
    decisive: judged.decisive,
    summary,
  };
  const { seq } = await ports.ledger.append({
    kind: 'canary-step',
    pipeline: input.pipeline,
    at: result.until,
    executionArn: input.executionArn,
    environment: env.name,
    releaseVersion: input.release.version,
    actor: 'tollgate',
    data: { ...result },
    idempotencyKey: `${idempotencyKey(input)}#${input.step}#${input.look}`,
  });
  return { ...result, ledgerSeq: seq };
}

function reader(
  ports: AnalyzeCanaryPorts,
  environment: string,
  canary: string,
  baseline: string,
  since: Date,
  until: Date,
): (check: AnalysisCheckConfig) => Promise<CheckInput> {
  return async (check) => {
    switch (check.source) {
      case 'requests': {
        const [c, b] = await Promise.all([
          ports.metrics.read(environment, since, until, canary),
          ports.metrics.read(environment, since, until, baseline),
        ]);
        return {
          ...bounds(check),
          metric: check.metric,
          canary: requestReading(c, check.metric),
          baseline: requestReading(b, check.metric),
        };
      }
      case 'prometheus': {
        const selector = parseSelector(check.metric);
        const [c, b] = await Promise.all([
          ports.appMetrics.scrape(environment, canary, check.path),
          ports.appMetrics.scrape(environment, baseline, check.path),
        ]);
        return {
          ...bounds(check),
          metric: check.metric,
          canary: prometheusReading(c, selector),
          baseline: prometheusReading(b, selector),
        };
      }
      default:
        // The local run refuses cloudwatch and alarm checks at start-up; without the port here the
        // wiring lacks that source.
        if (!ports.cloudChecks)
          throw new ConfigError(`analysis source "${check.source}" is not readable by this analyze-canary`);
        return cloudCheckInput(check, ports.cloudChecks, since, until);
    }
  };
}

function bounds(check: { max?: number; min?: number; maxIncrease?: number; minSamples?: number }) {
  return { max: check.max, min: check.min, maxIncrease: check.maxIncrease, minSamples: check.minSamples };
}
