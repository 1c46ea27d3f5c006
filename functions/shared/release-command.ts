import type { WaitingClock } from './clock.js';
import type { TestCommandOutcome, TestRunner } from './ports/test-runner.js';
import { redact } from './redaction.js';
import type { ReleaseRef } from './release.js';

/** One shell command of the team's (a migration tool, a dbt test) to run in a release's tree. */
export interface ReleaseCommand {
  readonly name: string;
  readonly run: string;
  /** Seconds; the runner stops the command's process group after it. */
  readonly timeout: number;
}

export interface ReleaseCommandTarget {
  readonly pipeline: string;
  readonly environment: string;
  /** The environment's URL, given to the command as TOLLGATE_URL. */
  readonly baseUrl: string;
  readonly release: ReleaseRef;
  /** A repeated call with the same key (a re-invoked task) finds the same run. */
  readonly idempotencyKey: string;
}

/** What a command left as evidence; secrets in its output are redacted. */
export interface CommandEvidence {
  readonly command: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  readonly output: readonly string[];
  /** Why it failed, in one line; absent when it exited 0. */
  readonly failure?: string;
  /** A failed command's first error lines from its whole output (before `output`'s tail, often). */
  readonly errors?: readonly string[];
}

const POLL_INTERVAL_MS = 500;

/**
 * Runs the command through the TestRunner port, the one way Tollgate runs a command in a release's
 * unpacked tree (test stages use it too): fresh tree, DATABASE_URL and the release's variables set,
 * process group stopped at the timeout. The task waits for it: a migration must finish before the
 * next state, and the runner's poll holds for up to a second, so this loop does not spin.
 */
export async function runReleaseCommand(
  runner: TestRunner,
  target: ReleaseCommandTarget,
  command: ReleaseCommand,
  clock: WaitingClock,
): Promise<CommandEvidence> {
  const { runId } = await runner.start({
    pipeline: target.pipeline,
    environment: target.environment,
    release: target.release,
    baseUrl: target.baseUrl,
    tests: [
      {
        name: command.name,
        run: command.run,
        timeout: command.timeout,
        after: 'deploy',
        env: {},
        thresholds: [],
      },
    ],
    idempotencyKey: target.idempotencyKey,
  });
  for (;;) {
    const status = await runner.poll(runId);
    if (status.state === 'FINISHED') {
      const outcome = status.outcomes.find((o) => o.name === command.name);
      return evidenceOf(command, outcome);
    }
    await clock.sleep(POLL_INTERVAL_MS);
  }
}

function evidenceOf(command: ReleaseCommand, outcome: TestCommandOutcome | undefined): CommandEvidence {
  const failure = !outcome
    ? 'the runner did not report it'
    : outcome.error
      ? `could not run: ${outcome.error}`
      : outcome.timedOut
        ? `stopped after its timeout (${command.timeout}s)`
        : outcome.exitCode !== 0
          ? `exited with code ${outcome.exitCode}`
          : undefined;
  // Output is what a person reads to find out why; a tool may print its connection URL.
  return redact({
    command: command.run,
    exitCode: outcome?.exitCode ?? null,
    timedOut: outcome?.timedOut ?? false,
    durationMs: outcome?.durationMs ?? 0,
    output: outcome?.outputTail ?? [],
    ...(failure ? { failure } : {}),
    ...(failure && outcome?.errorLines?.length ? { errors: outcome.errorLines } : {}),
  });
}
