import { StatesError, StatesErrorName } from '../errors/states-error.js';
import {
  inputDetails,
  MAX_PAYLOAD_BYTES,
  outputDetails,
  payloadBytes,
  toPayloadText,
} from '../payload-text.js';
import { functionNotFoundCause } from './lambda-invoke-output.js';
import { LambdaFunctionNotFoundError } from './lambda-invoker.js';
import type { TaskInvocation } from './task-invocation.js';

/** A Task whose Resource is a Lambda function ARN: AWS's legacy `LambdaFunction*` events. */
export async function runLambdaFunction(functionArn: string, inv: TaskInvocation): Promise<unknown> {
  const { recorder, lambda } = inv.run.frame.services;
  await recorder.add(inv.cursor, 'LambdaFunctionScheduled', {
    lambdaFunctionScheduledEventDetails: {
      ...inputDetails(toPayloadText(inv.parameters)),
      resource: functionArn,
      ...(inv.timeoutSeconds !== undefined ? { timeoutInSeconds: inv.timeoutSeconds } : {}),
    },
  });
  await recorder.add(inv.cursor, 'LambdaFunctionStarted');
  let outcome: Awaited<ReturnType<typeof lambda.invoke>>;
  try {
    outcome = await lambda.invoke(functionArn, inv.parameters, { signal: inv.signal });
  } catch (err) {
    if (!(err instanceof LambdaFunctionNotFoundError)) throw err;
    const cause = functionNotFoundCause(functionArn, inv.run.frame.services.newRequestId());
    return fail(inv, 'Lambda.ResourceNotFoundException', cause);
  }
  if (!inv.settle()) return new Promise(() => {});
  if ('error' in outcome) {
    return fail(inv, outcome.error.errorType, JSON.stringify(outcome.error), true);
  }
  const text = toPayloadText(outcome.payload);
  if (payloadBytes(text) > MAX_PAYLOAD_BYTES) {
    // AWS names the function's ARN here, where the lambda:invoke integration names 'lambda'.
    return fail(
      inv,
      StatesErrorName.DataLimitExceeded,
      `The state/task '${functionArn}' returned a result with a size exceeding the maximum number of bytes service limit.`,
      true,
    );
  }
  await recorder.add(inv.cursor, 'LambdaFunctionSucceeded', {
    lambdaFunctionSucceededEventDetails: outputDetails(text),
  });
  return outcome.payload;
}

async function fail(inv: TaskInvocation, error: string, cause: string, settled = false): Promise<never> {
  if (!settled && !inv.settle()) return new Promise<never>(() => {});
  await inv.run.frame.services.recorder.add(inv.cursor, 'LambdaFunctionFailed', {
    lambdaFunctionFailedEventDetails: { cause, error },
  });
  throw new StatesError(error, cause);
}
