/**
 * How the interpreter runs a Lambda function. A function error comes back as data (as AWS's
 * Invoke returns FunctionError) rather than a throw; a function that does not exist throws
 * LambdaFunctionNotFoundError.
 */
export interface LambdaFunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
  readonly [extra: string]: unknown;
}

export type LambdaInvocationResult = { readonly payload: unknown } | { readonly error: LambdaFunctionError };

export interface LambdaInvoker {
  invoke(
    functionArn: string,
    payload: unknown,
    options?: { signal?: AbortSignal },
  ): Promise<LambdaInvocationResult>;
}

export class LambdaFunctionNotFoundError extends Error {
  constructor(readonly functionArn: string) {
    super(`Function not found: ${functionArn}`);
    this.name = 'Lambda.ResourceNotFoundException';
  }
}
