import { targetEnvironment } from '../deploy/target-environment.js';
import type { Clock } from '../shared/clock.js';
import type { EnvironmentConfig, SmokeTestConfig, TollgateConfig } from '../shared/config/schema.js';
import { ConfigError } from '../shared/errors.js';
import type { SmokeTestInput } from './input.js';

/**
 * smoke-test: runs config.smokeTests[] against the environment's URL, each with its own timeout
 * and retries, and keeps the evidence of every attempt's outcome.
 *
 * Input:  { executionArn, stateName, pipeline, environment, release? }
 * Output: { environment, baseUrl, passed, checks: SmokeCheckEvidence[] }
 *         The handler throws Tollgate.SmokeTestFailed (evidence JSON in the message) when !passed.
 */
interface SmokeCheckEvidence {
  readonly name: string;
  readonly url: string;
  readonly method: string;
  /** HTTP status of the last attempt; absent when no response arrived. */
  readonly status?: number;
  readonly ok: boolean;
  readonly attempts: number;
  /** Total time across attempts, excluding retry waits. */
  readonly durationMs: number;
  readonly error?: string;
  readonly bodyExcerpt?: string;
}

export interface SmokeTestResult {
  readonly environment: string;
  readonly baseUrl: string;
  readonly passed: boolean;
  readonly checks: readonly SmokeCheckEvidence[];
  /** A round of a verify window: which one of how many. */
  readonly verify?: { readonly round: number; readonly rounds: number };
}

export type Sleeper = (ms: number) => Promise<void>;

export interface SmokeTestDeps {
  readonly config: TollgateConfig;
  readonly clock: Clock;
  /** Retry waits go through here so tests take no real time. */
  readonly sleep: Sleeper;
  /** Wait before retry n (1-based) is n * retryDelayMs. @default 1000 */
  readonly retryDelayMs?: number;
}

const EXCERPT = 200;

/** `environment.url`, or the local proxy's loopback address for a process environment. */
export function environmentUrl(env: EnvironmentConfig): string {
  if (env.url) return env.url.replace(/\/+$/, '');
  if (env.deploy.type === 'process') return `http://127.0.0.1:${env.deploy.port}`;
  throw new ConfigError(
    `environment "${env.name}" has no url; set environments[].url so smoke tests can reach it`,
  );
}

export async function runSmokeTests(
  /** `baseUrl`: somewhere else than the environment's URL (a release trial, see migration-safety). */
  input: Pick<SmokeTestInput, 'pipeline' | 'environment'> & {
    readonly baseUrl?: string;
    /** `verify`: the environment's verify checks (a round of its post-deployment window). */
    readonly checks?: SmokeTestInput['checks'];
    readonly round?: number;
  },
  deps: SmokeTestDeps,
): Promise<SmokeTestResult> {
  const env = targetEnvironment(deps.config, input.pipeline, input.environment);
  const baseUrl = input.baseUrl ?? environmentUrl(env);
  const verify = input.checks === 'verify';
  if (verify && !env.verify)
    throw new ConfigError(`environment "${env.name}" has no verify block; nothing to verify`);
  const configured = verify ? env.verify!.checks : deps.config.smokeTests;
  const checks: SmokeCheckEvidence[] = [];
  for (const check of configured) checks.push(await runCheck(check, baseUrl, deps));
  return {
    environment: env.name,
    baseUrl,
    passed: checks.every((c) => c.ok),
    checks,
    ...(verify
      ? { verify: { round: input.round ?? 1, rounds: Math.ceil(env.verify!.for / env.verify!.every) } }
      : {}),
  };
}

async function runCheck(
  check: SmokeTestConfig,
  baseUrl: string,
  deps: SmokeTestDeps,
): Promise<SmokeCheckEvidence> {
  const url = check.url ?? `${baseUrl}${check.path}`;
  const attemptsAllowed = check.retries + 1;
  let durationMs = 0;
  let last: Omit<SmokeCheckEvidence, 'name' | 'url' | 'method' | 'attempts' | 'durationMs'> = { ok: false };
  for (let attempt = 1; attempt <= attemptsAllowed; attempt += 1) {
    if (attempt > 1) await deps.sleep((attempt - 1) * (deps.retryDelayMs ?? 1_000));
    const started = deps.clock.now().getTime();
    last = await attemptCheck(check, url);
    durationMs += deps.clock.now().getTime() - started;
    if (last.ok)
      return { name: check.name, url, method: check.method, attempts: attempt, durationMs, ...last };
  }
  return { name: check.name, url, method: check.method, attempts: attemptsAllowed, durationMs, ...last };
}

async function attemptCheck(check: SmokeTestConfig, url: string) {
  const timeoutMs = check.timeout * 1_000;
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, {
      method: check.method,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    body = check.method === 'HEAD' ? '' : await response.text();
  } catch (thrown) {
    return { ok: false, error: describeFetchError(thrown, timeoutMs) };
  }
  const bodyExcerpt = body.length > EXCERPT ? `${body.slice(0, EXCERPT)}…` : body;
  const base = { status: response.status, ...(bodyExcerpt ? { bodyExcerpt } : {}) };
  if (response.status !== check.expectStatus) {
    return { ...base, ok: false, error: `expected status ${check.expectStatus}, got ${response.status}` };
  }
  if (check.expectBody !== undefined && !bodyMatches(body, check.expectBody)) {
    return { ...base, ok: false, error: `body does not match ${JSON.stringify(check.expectBody)}` };
  }
  return { ...base, ok: true };
}

/** `expectBody` is a substring, or a regular expression written as `/pattern/flags`. */
function bodyMatches(body: string, expected: string): boolean {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(expected);
  if (!regex) return body.includes(expected);
  try {
    return new RegExp(regex[1], regex[2]).test(body);
  } catch {
    return body.includes(expected);
  }
}

function describeFetchError(thrown: unknown, timeoutMs: number): string {
  const error = thrown as Error & { cause?: { code?: string; message?: string } };
  if (error?.name === 'TimeoutError' || error?.name === 'AbortError')
    return `no response within ${timeoutMs} ms`;
  const cause = error?.cause?.code ?? error?.cause?.message;
  return (cause ? `${error.message}: ${cause}` : (error?.message ?? String(thrown))).split('\n')[0];
}

/** One line naming each failed check and why, e.g. for the error the state machine catches. */
export function summariseFailures(result: SmokeTestResult): string {
  const failed = result.checks.filter((c) => !c.ok);
  const parts = failed.map(
    (c) => `${c.name} (${c.method} ${c.url}: ${c.error ?? 'failed'} after ${c.attempts} attempt(s))`,
  );
  const what = result.verify
    ? `verify check(s) failed in ${result.environment} (round ${result.verify.round} of ${result.verify.rounds})`
    : `smoke test(s) failed in ${result.environment}`;
  return `${failed.length} of ${result.checks.length} ${what}: ${parts.join('; ')}`;
}
