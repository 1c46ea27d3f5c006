import { resolve } from 'node:path';
import { loadConfig } from '../../functions/shared/config/index.js';
import { retryTarget } from '../../model/retry-target.js';
import { RunFold } from '../../model/run-fold.js';
import { type CommonOptions, createTarget } from '../client/cli-context.js';
import { CliError } from '../client/cli-error.js';
import { emit } from '../client/output.js';
import { executionHistory, findRun } from '../client/pipeline-api.js';
import { requesterOf, startRedeploy } from './deploy.js';

export interface RetryOptions extends CommonOptions {
  readonly reason?: string;
  readonly as?: string;
  readonly repo?: string;
}

/**
 * `tollgate retry RUN`: a new run of the failed run's release, from the environment it failed in
 * and on through the rest of the pipeline, without a build, through the same checks and gates.
 * `redrive` cannot do this for a failure the pipeline caught: it resumes at the `RunFailed` Fail
 * state and fails again at once.
 */
export async function retryCommand(run: string, options: RetryOptions): Promise<void> {
  const requestedBy = requesterOf(options);
  const config = await loadConfig(resolve(options.repo ?? process.cwd()));
  const target = createTarget(options);
  const described = await findRun(target, run);
  const events = await executionHistory(target, described.executionArn!);
  const timeline = RunFold.timeline(events, { now: Date.now(), running: described.status === 'RUNNING' });
  const found = retryTarget(
    described.name!,
    timeline,
    config.environments.map((e) => e.name),
  );
  if (!found.retry) throw new CliError(found.reason);
  const { environment } = found;
  const { name, verdict } = await startRedeploy(target, config, {
    release: found.release,
    environment,
    skipEarlier: false,
    reason: options.reason ?? `retry of run ${described.name}`,
    requestedBy,
    retryOf: described.name!,
  });
  emit(
    options.json,
    { run: name, retryOf: described.name, release: verdict.release.version, from: environment, requestedBy },
    () => [
      `retrying ${verdict.release.version} from ${environment} as ${requestedBy} (run ${described.name} failed there): run ${name}`,
      ...(target.mode === 'local' ? [`follow it with: npx tollgate show ${name}`] : []),
    ],
  );
}
