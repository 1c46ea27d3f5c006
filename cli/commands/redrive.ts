import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { type CommonOptions, createTarget } from '../client/cli-context.js';
import { CliError } from '../client/cli-error.js';
import { emit } from '../client/output.js';
import { findRun, send } from '../client/pipeline-api.js';

/**
 * `tollgate redrive RUN`: restarts a failed, timed-out or aborted run from the state that failed,
 * through Step Functions' RedriveExecution, the call the console's redrive button makes.
 */
export async function redriveCommand(run: string, options: CommonOptions): Promise<void> {
  const target = createTarget(options);
  const described = await findRun(target, run);
  if (described.status === 'RUNNING' || described.status === 'SUCCEEDED')
    throw new CliError(
      `run ${described.name} is ${described.status}; only a failed, timed-out or aborted run can be redriven`,
    );
  const answer = await send(target, () =>
    target.sfn().send(new RedriveExecutionCommand({ executionArn: described.executionArn! })),
  );
  emit(
    options.json,
    {
      redriven: described.name,
      executionArn: described.executionArn,
      redriveDate: answer.redriveDate ?? null,
    },
    () => [
      `redriven ${described.name} from its failed state`,
      ...(target.mode === 'local' ? [`follow it with: npx tollgate show ${described.name}`] : []),
    ],
  );
}
