import {
  LambdaFunctionNotFoundError,
  type LambdaInvocationResult,
  type LambdaInvoker,
} from '../../asl/task/lambda-invoker.js';
import {
  functionNameOf,
  jsonRoundTrip,
  type LocalLambdaContext,
  lambdaContext,
  toLambdaError,
} from './lambda-context.js';

export type LocalHandler = (event: unknown, context: LocalLambdaContext) => unknown;

/** Runs Lambda functions given as plain JS functions, keyed by function name. */
export class ObjectLambdaInvoker implements LambdaInvoker {
  private readonly handlers: ReadonlyMap<string, LocalHandler>;

  constructor(handlers: Readonly<Record<string, LocalHandler>>) {
    if (handlers === null || typeof handlers !== 'object') {
      throw new TypeError('ObjectLambdaInvoker: handlers must be an object of functions');
    }
    for (const [name, fn] of Object.entries(handlers)) {
      if (typeof fn !== 'function')
        throw new TypeError(`ObjectLambdaInvoker: handler '${name}' is not a function`);
    }
    this.handlers = new Map(Object.entries(handlers));
  }

  async invoke(functionArn: string, payload: unknown): Promise<LambdaInvocationResult> {
    const handler = this.handlers.get(functionNameOf(functionArn));
    if (!handler) throw new LambdaFunctionNotFoundError(functionArn);
    try {
      const result = await handler(jsonRoundTrip(payload), lambdaContext(functionArn));
      return { payload: jsonRoundTrip(result) };
    } catch (thrown) {
      return { error: toLambdaError(thrown) };
    }
  }
}
