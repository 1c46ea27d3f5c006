import type { TollgateConfig } from '../shared/config/schema.js';
import type { SourceCommit, SourceRepository } from '../shared/ports/source-repository.js';
import { redeployReach } from '../shared/redeploy-reach.js';

/**
 * plan-run: turns the config into the plan the state machine walks. The ASL never names an
 * environment; it maps over `environments` from here, so one definition serves every pipeline.
 *
 * Input:  { executionArn, stateName, commit: { repository, branch, commit, ... } }
 * Output: { pipeline, build: { projectName, artifactKey }, environments: PlannedEnvironment[] }
 *         or, for a commit this pipeline does not build, the same plus `skip: { reason, detail }`.
 *
 * plan-run runs before the concurrency guard, so a commit it skips (another repository, a branch
 * outside source.branches, a commit id the repository does not have) never takes, queues for or
 * supersedes the lock: a forged or mistyped event cancels nothing.
 */
export interface PlanInput {
  readonly executionArn: string;
  /**
   * `redeploy` (from `tollgate deploy`): the run takes an existing release into this one environment;
   * with `retryOf` (from `tollgate retry`) into it and on through every environment after it.
   */
  readonly commit: SourceCommit & {
    readonly redeploy?: { readonly environment: string; readonly retryOf?: string };
  };
}

export interface PlannedEnvironment {
  readonly name: string;
  readonly index: number;
  readonly pollSeconds: number;
  readonly maxPollAttempts: number;
  readonly deployTimeoutSeconds: number;
  readonly refresh: boolean;
  /** The environment has a database the release's migrations run against. */
  readonly hasDatabase: boolean;
  /** The environment promoted just before this one, whose evidence approvers see. */
  readonly previous: string | null;
  readonly storagePollSeconds: number;
  readonly storageMaxPolls: number;
  /** A canary or linear strategy's steps (traffic %) and the Wait before each step's analysis; null deploys all at once. */
  readonly canary: null | { readonly steps: readonly number[]; readonly intervalSeconds: number };
  /**
   * Test stages after deploy and after promote: null when there are none; else how many polls
   * (pollSeconds apart) the run waits for them, a bound beyond the sum of their own timeouts.
   */
  readonly tests: { readonly deploy: TestsPlan; readonly promote: TestsPlan };
  /** Post-deployment verification: a round of checks every `everySeconds`, `rounds` times. */
  readonly verify: null | { readonly everySeconds: number; readonly rounds: number };
  readonly approval: null | {
    readonly timeoutSeconds: number;
    readonly approvers: readonly string[];
    readonly minApprovals: number;
    readonly allowSelfApproval: boolean;
  };
}

type TestsPlan = null | { readonly maxPolls: number };

export const TESTS_MARGIN_SECONDS = 600;

function testsPlan(
  env: TollgateConfig['environments'][number],
  after: 'deploy' | 'promote',
  pollSeconds: number,
): TestsPlan {
  const tests = env.tests.filter((t) => t.after === after);
  if (tests.length === 0) return null;
  // The runner stops each command at its timeout; the margin covers what runs before and after the
  // commands: locally unpacking and collecting reports (seconds), on AWS a CodeBuild build's
  // queueing and provisioning in the VPC, which takes minutes on a busy account. A build that
  // never ends still ends the stage here, TESTS_MARGIN_SECONDS after its commands' timeouts.
  const seconds = tests.reduce((sum, t) => sum + t.timeout, 0) + TESTS_MARGIN_SECONDS;
  return { maxPolls: Math.ceil(seconds / pollSeconds) };
}

export interface RunPlan {
  readonly pipeline: string;
  readonly build: { readonly projectName: string; readonly artifactKey: string };
  readonly environments: readonly PlannedEnvironment[];
  readonly skip?: { readonly reason: string; readonly detail: string };
}

/** Upper bound for one snapshot/clone step; a real array or Aurora clone finishes well within it. */
const STORAGE_TIMEOUT_SECONDS = 3600;

/** Where every build leaves its tarball; register-release reads it from here. */
function buildArtifactKey(pipeline: string, commit: string): string {
  return `builds/${pipeline}/${commit}/release.tgz`;
}

export async function planRun(
  input: PlanInput,
  ports: { readonly config: TollgateConfig; readonly source: Pick<SourceRepository, 'vouchFor'> },
): Promise<RunPlan> {
  const full = planFor(input, ports.config);
  const redeploy = input.commit.redeploy;
  const target = redeploy?.environment;
  // A redeploy walks only its environment (a retry: from it onwards) with the same refresh, checks,
  // gate and approvals as a promotion into it; `previous` still names the one before it for the
  // approver's evidence.
  const reach = redeploy
    ? redeployReach(
        full.environments.map((e) => e.name),
        redeploy,
      )
    : null;
  const plan = reach
    ? { ...full, environments: full.environments.filter((e) => reach.includes(e.name)) }
    : full;
  const skip =
    (target && plan.environments.length === 0
      ? {
          reason: 'unknown-environment',
          detail: `environment "${target}" is not in this pipeline (${full.environments.map((e) => e.name).join(', ')})`,
        }
      : undefined) ??
    sourceSkip(input.commit, ports.config) ??
    (await unknownCommitSkip(input.commit, ports.source));
  return skip ? { ...plan, skip } : plan;
}

async function unknownCommitSkip(
  commit: SourceCommit,
  source: Pick<SourceRepository, 'vouchFor'>,
): Promise<RunPlan['skip']> {
  const verdict = await source.vouchFor(commit);
  return verdict.known ? undefined : { reason: 'unknown-commit', detail: verdict.detail };
}

function planFor(input: PlanInput, config: TollgateConfig): RunPlan {
  const environments = config.environments.map((env, index): PlannedEnvironment => {
    const pollSeconds = Math.min(env.pollInterval, env.deployTimeout);
    return {
      name: env.name,
      index,
      pollSeconds,
      maxPollAttempts: Math.max(1, Math.ceil(env.deployTimeout / pollSeconds)),
      deployTimeoutSeconds: env.deployTimeout,
      refresh: env.database?.refresh ?? false,
      hasDatabase: config.database !== undefined && env.database !== undefined,
      previous: index > 0 ? config.environments[index - 1]!.name : null,
      storagePollSeconds: pollSeconds,
      storageMaxPolls: Math.max(1, Math.ceil(STORAGE_TIMEOUT_SECONDS / pollSeconds)),
      canary:
        env.strategy.type === 'all-at-once'
          ? null
          : { steps: env.strategy.steps, intervalSeconds: env.strategy.interval },
      tests: {
        deploy: testsPlan(env, 'deploy', pollSeconds),
        promote: testsPlan(env, 'promote', pollSeconds),
      },
      verify: env.verify
        ? { everySeconds: env.verify.every, rounds: Math.ceil(env.verify.for / env.verify.every) }
        : null,
      approval: env.approval
        ? {
            timeoutSeconds: env.approval.timeout,
            approvers: env.approval.approvers,
            minApprovals: env.approval.minApprovals,
            allowSelfApproval: env.approval.allowSelfApproval,
          }
        : null,
    };
  });
  return {
    pipeline: config.name,
    build: {
      projectName: config.build.codebuildProject ?? `${config.name}-build`,
      artifactKey: buildArtifactKey(config.name, input.commit.commit),
    },
    environments,
  };
}

/**
 * Why this pipeline does not build a commit (another repository, a branch outside
 * source.branches), or undefined when it does. `tollgate push` tells the user the same words.
 */
export function sourceSkip(
  commit: { readonly repository: string; readonly branch: string },
  config: Pick<TollgateConfig, 'source'>,
): RunPlan['skip'] {
  const { repository, branch } = commit;
  if (repository !== config.source.repository) {
    return {
      reason: 'other-repository',
      detail: `commit is from repository "${repository}", this pipeline builds "${config.source.repository}"`,
    };
  }
  if (!config.source.branches.includes(branch)) {
    return {
      reason: 'branch-not-configured',
      detail: `branch "${branch}" is not in source.branches (${config.source.branches.join(', ')})`,
    };
  }
  return undefined;
}
