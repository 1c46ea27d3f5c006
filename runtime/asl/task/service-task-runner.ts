import { StatesError, StatesErrorName } from '../errors/states-error.js';
import { MAX_PAYLOAD_BYTES, outputDetails, payloadBytes, toPayloadText } from '../payload-text.js';
import { functionNotFoundCause, lambdaInvokeOutput, qualifyFunctionArn } from './lambda-invoke-output.js';
import { LambdaFunctionNotFoundError } from './lambda-invoker.js';
import { IntegrationPattern } from './task-integration.js';
import type { TaskInvocation } from './task-invocation.js';
import type { TaskResource } from './task-resource.js';

type ServiceResource = Extract<TaskResource, { kind: 'service' }>;

const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;

/**
 * A Task on an optimised or SDK integration: `TaskScheduled` → `TaskStarted` → (`TaskSubmitted`
 * for callbacks) → `TaskSucceeded` | `TaskFailed`.
 */
export async function runServiceTask(resource: ServiceResource, inv: TaskInvocation): Promise<unknown> {
  const { services } = inv.run.frame;
  const tag = { resource: resource.resourceName, resourceType: resource.resourceType };
  await services.recorder.add(inv.cursor, 'TaskScheduled', {
    taskScheduledEventDetails: {
      ...tag,
      region: services.region,
      parameters: toPayloadText(inv.parameters),
      ...(inv.timeoutSeconds !== undefined ? { timeoutInSeconds: inv.timeoutSeconds } : {}),
      ...(inv.heartbeatSeconds !== undefined ? { heartbeatInSeconds: inv.heartbeatSeconds } : {}),
    },
  });
  await services.recorder.add(inv.cursor, 'TaskStarted', { taskStartedEventDetails: tag });
  // Replaying a callback task whose request went out before the restart: only the wait resumes.
  if (services.recorder.pending(inv.cursor)[0]?.type === 'TaskSubmitted') {
    await services.recorder.add(inv.cursor, 'TaskSubmitted');
    return awaitSubmittedToken(inv, tag);
  }

  let result: unknown;
  try {
    result = await invokeResource(resource, inv);
    if (resource.pattern === IntegrationPattern.WaitForTaskToken) {
      if (!inv.live()) return new Promise(() => {});
      await services.recorder.add(inv.cursor, 'TaskSubmitted', {
        taskSubmittedEventDetails: { ...tag, ...outputDetails(toPayloadText(result)) },
      });
      result = await untilAborted(inv.taskToken?.outcome, inv.signal);
    }
  } catch (err) {
    return recordFailure(inv, tag, err);
  }
  return recordSuccess(inv, tag, result);
}

/**
 * Resumed after a restart with the token's request already delivered (TaskSubmitted is in the
 * history): sending it again would notify the approver twice, so only the wait is resumed. The
 * token is the one issued before the restart (see TaskTokenRegistry.issue).
 */
async function awaitSubmittedToken(inv: TaskInvocation, tag: Tag): Promise<unknown> {
  let result: unknown;
  try {
    result = await untilAborted(inv.taskToken?.outcome, inv.signal);
  } catch (err) {
    return recordFailure(inv, tag, err);
  }
  return recordSuccess(inv, tag, result);
}

type Tag = { readonly resource: string; readonly resourceType: string };

async function recordFailure(inv: TaskInvocation, tag: Tag, err: unknown): Promise<never> {
  // Engine shutdown or StopExecution: leave the task as it is (the token stays valid across a
  // restart), recording nothing.
  if ((err as Error)?.name === 'ExecutionAborted') throw err;
  if (!inv.settle()) return new Promise(() => {});
  const { recorder } = inv.run.frame.services;
  const e = toTaskError(err, tag);
  if (e.error === StatesErrorName.HeartbeatTimeout) {
    await recorder.add(inv.cursor, 'TaskTimedOut', { taskTimedOutEventDetails: { error: e.error, ...tag } });
    throw e;
  }
  await recorder.add(inv.cursor, 'TaskFailed', {
    taskFailedEventDetails: {
      ...(e.causeText !== undefined ? { cause: e.causeText } : {}),
      error: e.error,
      ...tag,
    },
  });
  throw e;
}

async function recordSuccess(inv: TaskInvocation, tag: Tag, result: unknown): Promise<unknown> {
  if (!inv.settle()) return new Promise(() => {});
  const { recorder } = inv.run.frame.services;
  const text = toPayloadText(result);
  if (payloadBytes(text) > MAX_PAYLOAD_BYTES) {
    const cause = `The state/task '${tag.resourceType}' returned a result with a size exceeding the maximum number of bytes service limit.`;
    await recorder.add(inv.cursor, 'TaskFailed', {
      taskFailedEventDetails: { cause, error: StatesErrorName.DataLimitExceeded, ...tag },
    });
    throw new StatesError(StatesErrorName.DataLimitExceeded, cause);
  }
  await recorder.add(inv.cursor, 'TaskSucceeded', {
    taskSucceededEventDetails: { ...tag, ...outputDetails(text) },
  });
  return result;
}

async function invokeResource(resource: ServiceResource, inv: TaskInvocation): Promise<unknown> {
  const { services } = inv.run.frame;
  if (LAMBDA_INVOKE.test(resource.base) && !services.integrations[resource.base]) {
    return invokeLambda(inv);
  }
  const integration = services.integrations[resource.base];
  if (!integration) {
    throw new StatesError(
      StatesErrorName.Runtime,
      `The resource '${resource.arn}' is not supported by this engine: no integration is registered for '${resource.base}'.`,
    );
  }
  return integration.run({
    resource: resource.base,
    pattern: resource.pattern,
    parameters: inv.parameters,
    executionArn: services.executionArn,
    stateName: inv.run.stateName,
    signal: inv.signal,
  });
}

async function invokeLambda(inv: TaskInvocation): Promise<unknown> {
  const { services } = inv.run.frame;
  const params = (inv.parameters ?? {}) as Record<string, unknown>;
  if (typeof params.FunctionName !== 'string') {
    throw new StatesError(
      'Lambda.InvalidParameterValueException',
      'The FunctionName parameter is required and must be a string.',
    );
  }
  const functionArn = qualifyFunctionArn(params.FunctionName, services.region, services.accountId);
  const requestId = services.newRequestId();
  try {
    // Lambda's Invoke with no (or a null) payload hands the function `{}`.
    const payload = lambdaPayload(params.Payload);
    const outcome = await services.lambda.invoke(functionArn, payload, { signal: inv.signal });
    if ('error' in outcome) throw new StatesError(outcome.error.errorType, JSON.stringify(outcome.error));
    return lambdaInvokeOutput(outcome.payload, requestId, new Date(services.clock.now()));
  } catch (err) {
    if (err instanceof LambdaFunctionNotFoundError) {
      throw new StatesError(
        'Lambda.ResourceNotFoundException',
        functionNotFoundCause(functionArn, requestId),
      );
    }
    throw err;
  }
}

function toTaskError(err: unknown, resource: Tag): StatesError {
  if (err instanceof StatesError) return err;
  if (err instanceof Error) {
    const name = err.name && err.name !== 'Error' ? err.name : `${resource.resourceType}.Unknown`;
    return new StatesError(name, err.message);
  }
  return new StatesError(StatesErrorName.TaskFailed, String(err));
}

/**
 * Lambda's Invoke takes bytes: a string Payload is sent as-is, so it must itself be JSON text
 * (`"\"HelloWorld\""` reaches the function as `"HelloWorld"`); no or a null payload becomes `{}`.
 */
function lambdaPayload(payload: unknown): unknown {
  if (payload === undefined || payload === null) return {};
  if (typeof payload !== 'string') return payload;
  try {
    return JSON.parse(payload);
  } catch {
    throw new StatesError(
      'Lambda.InvalidRequestContentException',
      'Could not parse request body into json: Unrecognized token. (Service: AWSLambda; Status Code: 400; Error Code: InvalidRequestContentException; Proxy: null)',
    );
  }
}

/**
 * A token can wait for days; the wait must still end when the execution is stopped or the engine
 * closes, or shutdown would hang on every pending approval.
 */
function untilAborted<T>(work: Promise<T> | undefined, signal: AbortSignal): Promise<T | undefined> {
  if (!work) return Promise.resolve(undefined);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
