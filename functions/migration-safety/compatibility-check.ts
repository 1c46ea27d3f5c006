import { idempotencyKey, targetEnvironment } from '../deploy/target-environment.js';
import { type EnvPointer, envPointerKey, releaseOf } from '../promote/env-pointer.js';
import { InvalidInputError, NotFoundError, NotRollbackSafeError } from '../shared/errors.js';
import type { TollgatePorts } from '../shared/ports/tollgate-ports.js';
import type { ReleaseRef } from '../shared/release.js';
import {
  runSmokeTests,
  type Sleeper,
  type SmokeTestResult,
  summariseFailures,
} from '../smoke-test/smoke-test.js';
import type { MigrationSafetyInput } from './input.js';

type Ports = Pick<TollgatePorts, 'config' | 'artifacts' | 'trials' | 'ledger' | 'clock'>;

/**
 * The backward-compatibility check: after a refreshed environment is migrated, the release that
 * served before (the environment's last promoted one, else the source environment's) runs as a
 * trial on the migrated database and must pass the configured smoke tests. If it cannot, a
 * rollback after this release's migration would break the app: the release is not rollback-safe.
 */
export async function startTrial(input: MigrationSafetyInput, ports: Ports) {
  const env = targetEnvironment(ports.config, input.pipeline, input.environment);
  const previous = await previousRelease(input, ports);
  if (!previous) {
    const skipped = 'no earlier release to check: nothing was promoted here or in the source environment';
    await record(input, { result: 'skipped', reason: skipped }, ports);
    return { trialId: null, skipped };
  }
  const key = idempotencyKey(input);
  let trialId: string;
  try {
    ({ trialId } = await ports.trials.start({
      pipeline: input.pipeline,
      environment: env.name,
      release: previous,
      idempotencyKey: key,
    }));
  } catch (error) {
    // On ECS the trial runs the task definition the service runs now; when that is not the release
    // a rollback would put back (the environment never ran it), there is nothing of it to run there.
    if (!(env.deploy.type === 'ecs' && error instanceof NotFoundError)) throw error;
    await record(input, { result: 'skipped', reason: error.message }, ports);
    return { trialId: null, skipped: error.message };
  }
  // The key travels with the trial so the check can start the very same trial again (see below).
  return { trialId, release: previous, idempotencyKey: key };
}

/**
 * The trial as it is now, when the last poll saw it READY: a Tollgate restart in between stopped its
 * process. The trial is then started again (poll does that from its saved request; start does it
 * when the request is gone) and the check answers `pending`, so the pipeline waits for it again
 * instead of running the smoke tests against an address nobody answers (a false NotRollbackSafe).
 */
async function liveStatus(
  input: MigrationSafetyInput,
  trial: NonNullable<MigrationSafetyInput['trial']>,
  ports: Ports,
): Promise<MigrationSafetyInput['status'] | 'pending'> {
  if (input.status?.state !== 'READY') return input.status;
  const live = await ports.trials.poll(trial.trialId).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  if (live?.state === 'READY' || live?.state === 'FAILED') return live;
  if (!live) {
    await ports.trials.start({
      pipeline: input.pipeline,
      environment: input.environment,
      release: trial.release,
      idempotencyKey: trial.idempotencyKey ?? idempotencyKey(input),
    });
  }
  return 'pending';
}

/** Runs the smoke tests against the trial (if it came up), always stops it, records the outcome. */
export async function checkTrial(input: MigrationSafetyInput, ports: Ports, sleep: Sleeper) {
  const trial = input.trial;
  if (!trial) throw new InvalidInputError('trial-check needs the trial that trial-start returned');
  const status = await liveStatus(input, trial, ports);
  if (status === 'pending') return { pending: true, trialId: trial.trialId };
  let smoke: SmokeTestResult | undefined;
  try {
    if (status?.state === 'READY' && status.baseUrl) {
      // A check with its own absolute URL reaches the environment, not the trial: left out here.
      const config = { ...ports.config, smokeTests: ports.config.smokeTests.filter((c) => !c.url) };
      smoke = await runSmokeTests(
        { pipeline: input.pipeline, environment: input.environment, baseUrl: status.baseUrl },
        { config, clock: ports.clock, sleep },
      );
    }
  } finally {
    await ports.trials.stop(trial.trialId);
  }
  const breaking = input.plan?.breaking ?? [];
  const failure = smoke ? smokeFailure(smoke) : notStarted(trial.release.version, status);
  const outcome = {
    result: failure ? (breaking.length ? 'breaking' : 'failed') : 'passed',
    previousRelease: trial.release.version,
    rollbackSafe: !failure,
    ...(failure ? { failure } : {}),
    ...(failure && breaking.length
      ? {
          breaking,
          warning: `a rollback of ${input.release.version} would need a data restore: ${trial.release.version} fails on the schema after ${breaking.join(', ')}`,
        }
      : {}),
    ...(smoke ? { checks: smoke.checks } : {}),
  };
  await record(input, outcome, ports);
  if (failure && !breaking.length) {
    throw new NotRollbackSafeError(
      `${trial.release.version} (the release a rollback would put back) fails on the schema ${input.release.version} migrated to: ${failure}; make the migration backward compatible${ports.config.database?.migrate ? '' : ' or mark it in database.breaking'}`,
      { details: outcome },
    );
  }
  return outcome;
}

/** The summary, plus what each failed check answered: the old release's own words say why. */
function smokeFailure(smoke: SmokeTestResult): string | undefined {
  if (smoke.passed) return undefined;
  const answers = smoke.checks
    .filter((c) => !c.ok && c.bodyExcerpt)
    .map((c) => `${c.name} answered ${c.bodyExcerpt!.trim()}`);
  return [summariseFailures(smoke), ...answers].join('; ');
}

function notStarted(version: string, status: MigrationSafetyInput['status']): string {
  const why = status?.reason ?? `still ${status?.state ?? 'unpolled'} when polling stopped`;
  return `${version} did not start on the migrated database: ${why}`;
}

async function record(input: MigrationSafetyInput, data: Record<string, unknown>, ports: Ports) {
  await ports.ledger.append({
    kind: 'compatibility-check',
    pipeline: input.pipeline,
    environment: input.environment,
    releaseVersion: input.release.version,
    executionArn: input.executionArn,
    actor: 'tollgate',
    at: ports.clock.now().toISOString(),
    data: { ...data, migrations: input.plan?.pending ?? [] },
    idempotencyKey: idempotencyKey(input),
  });
}

async function previousRelease(input: MigrationSafetyInput, ports: Ports): Promise<ReleaseRef | undefined> {
  const source = ports.config.database?.source;
  for (const environment of [input.environment, ...(source ? [source] : [])]) {
    const pointer = await ports.artifacts.getPointer<EnvPointer>(envPointerKey(input.pipeline, environment));
    if (pointer && pointer.version !== input.release.version) return releaseOf(pointer);
    if (pointer?.previous && pointer.previous.version !== input.release.version)
      return releaseOf(pointer.previous);
  }
  return undefined;
}
