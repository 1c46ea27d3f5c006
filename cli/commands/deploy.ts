import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { ListStateMachinesCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { checkRedeploy, type RedeployVerdict } from '../../functions/register-release/redeploy-check.js';
import { type RedeployAsk, redeployEvent } from '../../functions/register-release/redeploy-event.js';
import { loadConfig } from '../../functions/shared/config/index.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import { pipelineStateMachineName } from '../../runtime/up/pipeline-deployment.js';
import { artifactsOf } from '../client/artifact-store.js';
import { type CliTarget, type CommonOptions, createTarget } from '../client/cli-context.js';
import { CliError, ExitCode } from '../client/cli-error.js';
import { emit } from '../client/output.js';
import { send } from '../client/pipeline-api.js';

export interface DeployOptions extends CommonOptions {
  readonly env?: string;
  readonly reason?: string;
  readonly skipEarlier?: boolean;
  readonly as?: string;
  readonly repo?: string;
}

/**
 * `tollgate deploy RELEASE --env ENV`: a run of the same pipeline for a release that exists. The
 * request is checked first (checkRedeploy, the same check register-release makes in the run), so
 * a refusal is one line and starts nothing.
 */
export async function deployCommand(release: string, options: DeployOptions): Promise<void> {
  if (!options.env)
    throw new CliError('deploy needs --env ENV, the environment to deploy into', ExitCode.Usage);
  const requestedBy = requesterOf(options);
  const config = await loadConfig(resolve(options.repo ?? process.cwd()));
  const target = createTarget(options);
  const { name, verdict } = await startRedeploy(target, config, {
    release,
    environment: options.env,
    skipEarlier: options.skipEarlier === true,
    reason: options.reason ?? '',
    requestedBy,
  });
  emit(
    options.json,
    {
      run: name,
      release: verdict.release.version,
      environment: options.env,
      requestedBy,
      reason: options.reason ?? '',
      notPassed: verdict.notPassed,
    },
    () => [
      `deploying ${verdict.release.version} (commit ${verdict.release.commit.slice(0, 7)}) to ${options.env} as ${requestedBy}: run ${name}`,
      ...(verdict.notPassed.length
        ? [`--skip-earlier: it never passed ${verdict.notPassed.join(', ')}; the approval evidence says so`]
        : []),
      ...(target.mode === 'local' ? [`follow it with: npx tollgate show ${name}`] : []),
    ],
  );
}

/**
 * Checks the ask (checkRedeploy, the check register-release makes again in the run) and starts
 * the run; a refusal is one line and starts nothing. `tollgate retry` asks through here too.
 */
export async function startRedeploy(
  target: CliTarget,
  config: TollgateConfig,
  ask: RedeployAsk,
): Promise<{ name: string; verdict: Extract<RedeployVerdict, { allowed: true }> }> {
  const verdict = await checkRedeploy(ask, {
    config,
    ledger: await target.ledger(),
    artifacts: await artifactsOf(target),
  });
  if (!verdict.allowed) throw new CliError(verdict.reason);
  const stateMachineArn = await stateMachineOf(target, config.name);
  const name = randomUUID();
  const input = redeployEvent(verdict.release, ask, new Date());
  await send(target, () =>
    target.sfn().send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) })),
  );
  return { name, verdict };
}

/** Who asks: --as, else TOLLGATE_USER, else the OS user (as approve decides). */
export function requesterOf(options: { readonly as?: string }): string {
  const user = options.as ?? (process.env.TOLLGATE_USER || userInfo().username);
  if (!/^\S{1,256}$/.test(user))
    throw new CliError(`--as must be a user name without spaces, got "${user}"`, ExitCode.Usage);
  return user;
}

async function stateMachineOf(target: CliTarget, pipeline: string): Promise<string> {
  const fixed = await target.stateMachineArns();
  if (fixed?.[0]) return fixed[0];
  const wanted = pipelineStateMachineName(pipeline);
  let nextToken: string | undefined;
  do {
    const page = await send(target, () => target.sfn().send(new ListStateMachinesCommand({ nextToken })));
    const found = page.stateMachines?.find((sm) => sm.name === wanted);
    if (found?.stateMachineArn) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  throw new CliError(
    `no pipeline "${pipeline}" at ${target.where}; is \`npx tollgate up\` running for this repository?`,
  );
}
