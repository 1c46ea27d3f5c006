import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { sourceSkip } from '../../functions/plan-run/plan-run.js';
import { loadConfig } from '../../functions/shared/config/index.js';
import { executionArnOf } from '../../model/run-name.js';
import { type CliTarget, type CommonOptions, createTarget } from '../client/cli-context.js';
import { CliError } from '../client/cli-error.js';
import { headCommit } from '../client/git-head.js';
import { emit } from '../client/output.js';
import { pipelineStateMachines, send } from '../client/pipeline-api.js';

export interface PushOptions extends CommonOptions {
  readonly repo?: string;
  /** The repository name in the event; @default the config's source.repository */
  readonly repository?: string;
}

/** `tollgate push`: the tollgate.git "Commit Pushed" event for HEAD, put on the (local or AWS) bus. */
export async function pushCommand(options: PushOptions): Promise<void> {
  const head = headCommit(options.repo ?? process.cwd());
  const config = await loadConfig(head.root);
  const repository = options.repository ?? config.source.repository;
  const detail = {
    repository,
    branch: head.branch,
    commit: head.commit,
    parents: head.parents,
    author: head.author,
    message: head.message,
    timestamp: head.timestamp,
  };
  const target = createTarget(options);
  const answer = await send(target, async () =>
    (await target.events()).send(
      new PutEventsCommand({
        Entries: [{ Source: 'tollgate.git', DetailType: 'Commit Pushed', Detail: JSON.stringify(detail) }],
      }),
    ),
  );
  const entry = answer.Entries?.[0];
  if (answer.FailedEntryCount || !entry?.EventId) {
    throw new CliError(
      `the event bus refused the commit event: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
    );
  }
  // The run still starts and records the skip (plan-run): say so here, where the user is looking.
  const skip = sourceSkip({ repository, branch: head.branch }, config);
  const started = target.mode === 'local' ? await runStarted(target, entry.EventId) : undefined;
  emit(
    options.json,
    {
      eventId: entry.EventId,
      run: entry.EventId,
      ...(started === undefined ? {} : { started }),
      ...detail,
      ...(skip ? { skip } : {}),
    },
    () => [
      `pushed ${head.commit.slice(0, 7)} on ${head.branch} of ${repository} (event ${entry.EventId})`,
      ...(skip ? [`${skip.detail}: the run will end as a recorded skip, nothing is built or deployed`] : []),
      ...(started === false
        ? [
            `its run has not started yet (the runtime took the event but has not delivered it within ${RUN_START_WAIT_MS / 1000}s); see \`npx tollgate runs\``,
          ]
        : []),
      ...(target.mode === 'local' ? [`follow it with: npx tollgate show ${entry.EventId}`] : []),
    ],
  );
}

/** How long `push` waits for the local runtime to start the event's run. */
export const RUN_START_WAIT_MS = 10_000;

/**
 * Whether the run of event `name` has started, waiting up to RUN_START_WAIT_MS. The bus answers
 * PutEvents once the event is durable and delivers it a moment later (as EventBridge does), so a
 * `show` typed, or scripted, right after `push` could find no run by that name; `push` answers once
 * it would. Locally only: there the run is named after the event, so its ARN is known and one
 * DescribeExecution per state machine says whether it exists, however many runs started since.
 */
export async function runStarted(
  target: CliTarget,
  name: string,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  waitMs = RUN_START_WAIT_MS,
): Promise<boolean> {
  const machines = await pipelineStateMachines(target);
  let waited = 0;
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    for (const machine of machines) if (await runExists(target, executionArnOf(machine, name))) return true;
    if (waited >= waitMs) return false;
    await sleep(delay);
    waited += delay;
  }
}

async function runExists(target: CliTarget, executionArn: string): Promise<boolean> {
  try {
    await send(target, () => target.reads.call('DescribeExecution', { executionArn }));
    return true;
  } catch (error) {
    if (((error as CliError).cause as Error | undefined)?.name === 'ExecutionDoesNotExist') return false;
    throw error;
  }
}
