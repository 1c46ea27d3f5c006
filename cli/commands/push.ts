import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { sourceSkip } from '../../functions/plan-run/plan-run.js';
import { loadConfig } from '../../functions/shared/config/index.js';
import { type CommonOptions, createTarget } from '../client/cli-context.js';
import { CliError } from '../client/cli-error.js';
import { headCommit } from '../client/git-head.js';
import { emit } from '../client/output.js';
import { send } from '../client/pipeline-api.js';

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
  emit(
    options.json,
    { eventId: entry.EventId, run: entry.EventId, ...detail, ...(skip ? { skip } : {}) },
    () => [
      `pushed ${head.commit.slice(0, 7)} on ${head.branch} of ${repository} (event ${entry.EventId})`,
      ...(skip ? [`${skip.detail}: the run will end as a recorded skip, nothing is built or deployed`] : []),
      ...(target.mode === 'local' ? [`follow it with: npx tollgate show ${entry.EventId}`] : []),
    ],
  );
}
