import { idempotencyKey, targetEnvironment } from '../deploy/target-environment.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import { InvalidInputError } from '../shared/errors.js';
import type { TestCommandOutcome, TestRunner } from '../shared/ports/test-runner.js';
import { redact } from '../shared/redaction.js';
import { environmentUrl } from '../smoke-test/smoke-test.js';
import type { RunTestsInput } from './input.js';
import { type JunitSummary, summariseJunit } from './junit-report.js';
import { judgeThresholds, type ThresholdResult } from './thresholds.js';

/**
 * run-tests: the environment's test stages (`environments[].tests` whose `after` is this phase),
 * run by the TestRunner port in the release's tree.
 *
 * `start` → { state: 'RUNNING', runId }; `poll` → { state: 'RUNNING', runId, done, total } while
 * the commands run, then the report: { state: 'FINISHED', environment, after, passed, tests[] }.
 * A test passes when its command exited 0 within its timeout, its JUnit XML (if it names any)
 * has no failure or error and parsed, and every threshold holds. The handler throws
 * Tollgate.TestsFailed with the report as evidence when one did not.
 */
interface TestEvidence {
  readonly name: string;
  readonly passed: boolean;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  readonly command: string;
  /** Why it failed, in one line each (exit code, timeout, failing tests, thresholds). */
  readonly reasons: readonly string[];
  readonly junit?: JunitSummary;
  readonly thresholds?: readonly ThresholdResult[];
  /** The command's last output lines, kept when it failed. */
  readonly output?: readonly string[];
}

export interface TestReport {
  readonly state: 'FINISHED';
  readonly environment: string;
  readonly after: 'deploy' | 'promote';
  readonly passed: boolean;
  readonly tests: readonly TestEvidence[];
}

export type RunTestsOutput =
  | { readonly state: 'RUNNING'; readonly runId: string; readonly done?: number; readonly total?: number }
  | TestReport;

export interface RunTestsPorts {
  readonly config: TollgateConfig;
  readonly testRunner: TestRunner;
}

export async function runTests(input: RunTestsInput, ports: RunTestsPorts): Promise<RunTestsOutput> {
  const env = targetEnvironment(ports.config, input.pipeline, input.environment);
  const tests = env.tests.filter((t) => t.after === input.after);
  if (tests.length === 0)
    throw new InvalidInputError(`environment "${env.name}" has no tests to run after ${input.after}`);
  if (input.step === 'start') {
    const { runId } = await ports.testRunner.start({
      pipeline: input.pipeline,
      environment: env.name,
      release: input.release,
      baseUrl: environmentUrl(env),
      tests,
      idempotencyKey: idempotencyKey(input),
    });
    return { state: 'RUNNING', runId };
  }
  const status = await ports.testRunner.poll(input.runId);
  if (status.state === 'RUNNING')
    return { state: 'RUNNING', runId: input.runId, done: status.done, total: status.total };
  const evidence = await Promise.all(
    tests.map((test) => {
      const outcome = status.outcomes.find((o) => o.name === test.name);
      return judge(test.run, test.thresholds, outcome ?? missing(test.name));
    }),
  );
  return {
    state: 'FINISHED',
    environment: env.name,
    after: input.after,
    passed: evidence.every((e) => e.passed),
    tests: evidence,
  };
}

async function judge(
  command: string,
  thresholds: Parameters<typeof judgeThresholds>[0],
  outcome: TestCommandOutcome,
): Promise<TestEvidence> {
  const reasons: string[] = [];
  if (outcome.error) reasons.push(`could not run: ${outcome.error}`);
  else if (outcome.timedOut)
    reasons.push(`stopped after its timeout (${Math.round(outcome.durationMs / 1_000)}s)`);
  else if (outcome.exitCode !== 0) reasons.push(`exited with code ${outcome.exitCode}`);
  const junit = outcome.junit.length ? await summariseJunit(outcome.junit) : undefined;
  if (junit?.failures) reasons.push(`${junit.failures} of ${junit.tests} test(s) failed`);
  for (const problem of junit?.problems ?? []) reasons.push(problem);
  const judged = thresholds.length ? judgeThresholds(thresholds, outcome.summaries) : undefined;
  for (const t of judged ?? []) if (!t.passed) reasons.push(`threshold ${t.detail}`);
  const passed = reasons.length === 0;
  // Output is what a person reads to find out why; it may print a URL with a password in it.
  return redact({
    name: outcome.name,
    passed,
    exitCode: outcome.exitCode,
    timedOut: outcome.timedOut,
    durationMs: outcome.durationMs,
    command,
    reasons,
    ...(junit ? { junit } : {}),
    ...(judged ? { thresholds: judged } : {}),
    ...(passed ? {} : { output: outcome.outputTail }),
  });
}

function missing(name: string): TestCommandOutcome {
  return {
    name,
    exitCode: null,
    timedOut: false,
    durationMs: 0,
    outputTail: [],
    error: 'the runner did not report it',
    junit: [],
    summaries: {},
  };
}

/** One line naming each failed test stage and why, for the error the state machine catches. */
export function summariseTestFailures(report: TestReport): string {
  const failed = report.tests.filter((t) => !t.passed);
  const parts = failed.map((t) => {
    const first = t.junit?.failed[0];
    const firstTest = first
      ? `; first failing test: ${first.suite ? `${first.suite} > ` : ''}${first.name}: ${first.message}`
      : '';
    return `${t.name} (${t.reasons.join('; ')}${firstTest})`;
  });
  return `${failed.length} of ${report.tests.length} test stage(s) failed in ${report.environment} after ${report.after}: ${parts.join('; ')}`;
}
