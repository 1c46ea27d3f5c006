import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { redriveStart } from '../../model/redrive-start.js';
import { PIPELINE_MACHINE } from '../../statemachines/pipeline.js';
import { type CommonOptions, createTarget } from '../client/cli-context.js';
import { CliError } from '../client/cli-error.js';
import { emit } from '../client/output.js';
import { executionHistory, findRun, send } from '../client/pipeline-api.js';

const PIPELINE_TOP_LEVEL = new Map(
  Object.entries(PIPELINE_MACHINE.definition.States).map(([name, state]) => [name, state.Type]),
);

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
  // The same decision as the console's confirmation (model/redrive-start.ts), on the pipeline's
  // own top-level states.
  const events = await executionHistory(target, described.executionArn!);
  const from = redriveStart(events, PIPELINE_TOP_LEVEL);
  if (from?.failsAgain)
    throw new CliError(
      `run ${described.name} ended in its Fail state ${from.state} after the pipeline recorded the failure, so a redrive would fail again at once; run it again from where it failed with \`npx tollgate retry ${described.name}\``,
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
