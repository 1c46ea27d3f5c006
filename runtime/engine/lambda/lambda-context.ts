import { randomUUID } from 'node:crypto';
import type { LambdaFunctionError } from '../../asl/task/lambda-invoker.js';

/** A Lambda-like `context` argument for local handlers. */
export interface LocalLambdaContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

export function functionNameOf(functionArn: string): string {
  const m = /:function:([^:]+)/.exec(functionArn);
  return m ? m[1] : functionArn;
}

export function lambdaContext(functionArn: string, timeoutMs = 900_000): LocalLambdaContext {
  const name = functionNameOf(functionArn);
  const deadline = Date.now() + timeoutMs;
  return {
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: '128',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `local/${name}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/**
 * What the Node.js Lambda runtime reports for a thrown value: `errorType` is the error's name
 * (its constructor name for plain Errors), plus message and stack lines.
 */
export function toLambdaError(thrown: unknown): LambdaFunctionError {
  if (thrown instanceof Error) {
    const errorType =
      thrown.name && thrown.name !== 'Error' ? thrown.name : thrown.constructor?.name || 'Error';
    const trace = (thrown.stack ?? '').split('\n').filter((l) => l.length > 0);
    return { errorType, errorMessage: thrown.message, trace };
  }
  return {
    errorType: 'Error',
    errorMessage: typeof thrown === 'string' ? thrown : JSON.stringify(thrown),
    trace: [],
  };
}

/** A handler's return value crosses a JSON boundary on AWS; undefined becomes null. */
export function jsonRoundTrip(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value));
}
