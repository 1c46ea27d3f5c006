import { AwsApiError } from '../../api/aws-service.js';
import { HistoryCursor } from '../../asl/history/history-cursor.js';
import type { EngineCore } from '../engine-core.js';
import { ExecutionStatus } from '../engine-model.js';
import { engineRecord } from '../engine-records.js';
import { LazyAbortController } from '../lazy-abort-controller.js';
import { asRequest, optionalString } from '../request-fields.js';
import { executionArnField } from './execution-ops.js';

// AWS allows a redrive within 14 days of the execution's stop.
const REDRIVE_WINDOW_MS = 14 * 24 * 3600 * 1000;

/**
 * Continues a failed, timed-out or aborted execution from the top-level state where it stopped,
 * with that state's input and the variables assigned so far; states that succeeded are not run
 * again.
 */
export async function redriveExecution(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const arn = executionArnField(req);
  optionalString(req, 'clientToken', 64, 1);
  const exec = core.execution(arn);
  const redrivable =
    exec.status === ExecutionStatus.Failed ||
    exec.status === ExecutionStatus.TimedOut ||
    exec.status === ExecutionStatus.Aborted;
  if (!redrivable) {
    throw new AwsApiError('ExecutionNotRedrivable', `Execution is ${exec.status} and cannot be redriven`);
  }
  if (exec.stopDate !== undefined && core.clock.now() - exec.stopDate > REDRIVE_WINDOW_MS) {
    throw new AwsApiError(
      'ExecutionNotRedrivable',
      'Execution can no longer be redriven: the 14-day window has passed',
    );
  }
  const checkpoint = exec.checkpoint;
  if (!checkpoint) {
    throw new AwsApiError(
      'ExecutionNotRedrivable',
      'Execution failed before entering any state and cannot be redriven',
    );
  }
  const redriveDate = core.clock.now();
  exec.redriveCount += 1;
  exec.redriveDate = redriveDate;
  exec.status = ExecutionStatus.Running;
  exec.stopDate = undefined;
  exec.error = undefined;
  exec.cause = undefined;
  exec.outputText = undefined;
  exec.controller = new LazyAbortController();
  exec.redriveFrom = checkpoint;
  await core.append(engineRecord.redrive(arn, exec.redriveCount, redriveDate, checkpoint));
  const cursor = new HistoryCursor(exec.history.events.length);
  const redrivenId = await exec.history.add(cursor, 'ExecutionRedriven', {
    executionRedrivenEventDetails: { redriveCount: exec.redriveCount },
  });
  core.launch(exec, {
    fresh: false,
    startAt: checkpoint.stateName,
    input: JSON.parse(checkpoint.inputText),
    variables: checkpoint.variables,
    sourceEventId: redrivenId,
  });
  return { redriveDate: redriveDate / 1000 };
}
