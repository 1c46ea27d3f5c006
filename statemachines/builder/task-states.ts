import type { StageId } from '../../model/stage-id.js';
import type {
  Assignments,
  Catcher,
  JsonObject,
  JsonValue,
  Retrier,
  TaskState,
  Transition,
} from './asl-types.js';
import type { DeclaredState } from './declared-state.js';
import { type FailureScope, recordFailure } from './failures.js';
import { compact } from './flow-states.js';
import { type RetryableErrorName, retryableError } from './tollgate-errors.js';

/**
 * Task states. Every Lambda task gets, without being asked: its function's `${Placeholder}`, the
 * execution ARN and state name its idempotency key is made of, and the retry of Lambda's own
 * transient errors. Options in PascalCase are written into the ASL as given.
 */

/**
 * Lambda's transient service errors, retried on every invocation. TooManyRequests is throttling;
 * ClientExecutionTimeout is the invoke call itself timing out, which says nothing about the
 * function (every task is idempotent on execution ARN + state name, so a second call is safe).
 */
export const LAMBDA_SERVICE_RETRY: Retrier = {
  ErrorEquals: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
    'Lambda.ClientExecutionTimeoutException',
  ],
  IntervalSeconds: 2,
  MaxAttempts: 4,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

/** Retries a Tollgate error the error catalogue marks as safe to try again. */
export function retryOn(error: RetryableErrorName, backoff: Omit<Retrier, 'ErrorEquals'>): Retrier {
  return { ErrorEquals: [retryableError(error)], ...backoff };
}

/** `${name}`: a value the CDK stack and the local runtime each substitute with their own. */
export function placeholder(name: string): string {
  return `\${${name}}`;
}

/** The ASL placeholder that receives a task function's ARN: `plan-run` → `PlanRunFunctionArn`. */
export function functionPlaceholder(fn: string): string {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(fn))
    throw new Error(`task function name "${fn}" is not kebab-case (it names a folder under functions/)`);
  return `${fn.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}FunctionArn`;
}

type CommonTaskOptions = {
  readonly stage: StageId;
  readonly Comment?: string;
  readonly TimeoutSeconds?: number | string;
  readonly Assign?: Assignments;
  readonly Output?: JsonValue;
  /** Written before the failure catch, e.g. `States.Timeout` going elsewhere. */
  readonly Catch?: readonly Catcher[];
  /** Any other error is recorded as a failure of this stage, and the run goes here. */
  readonly failsTo?: string;
} & Transition;

type LambdaTaskOptions<F extends string> = CommonTaskOptions & {
  /** The folder under functions/ whose handler runs. */
  readonly fn: F;
  /** The task's input, after `executionArn` and `stateName` (and before `taskToken`). */
  readonly payload: JsonObject;
  /** Waits until the function's caller sends the task token back (an approval, a queued lock). */
  readonly waitForTaskToken?: boolean;
  /** Further retries, after Lambda's service errors. */
  readonly retry?: readonly Retrier[];
};

type ServiceTaskOptions = CommonTaskOptions & {
  /** The integration's resource (a `${Placeholder}` where it differs between AWS and local). */
  readonly resource: string;
  readonly Arguments: JsonObject;
};

/** The task builders of one failure scope (the run, or one environment's iteration). */
export interface TaskBuilders {
  lambda<const F extends string>(options: LambdaTaskOptions<F>): DeclaredState<F>;
  service(options: ServiceTaskOptions): DeclaredState<never>;
}

export function taskBuilders(scope: FailureScope): TaskBuilders {
  const render = (
    o: CommonTaskOptions,
    resource: string,
    args: JsonObject,
    retry: readonly Retrier[] | undefined,
  ): TaskState => {
    const catchers = [...(o.Catch ?? []), ...(o.failsTo ? [recordFailure(scope, o.stage, o.failsTo)] : [])];
    return compact({
      Type: 'Task',
      Comment: o.Comment,
      Resource: resource,
      Arguments: args,
      TimeoutSeconds: o.TimeoutSeconds,
      Retry: retry,
      Assign: o.Assign,
      Output: o.Output,
      Catch: catchers.length ? catchers : undefined,
      Next: o.Next,
      End: o.End,
    } as TaskState);
  };
  return {
    lambda(o) {
      const payload: JsonObject = {
        executionArn: '{% $states.context.Execution.Id %}',
        stateName: '{% $states.context.State.Name %}',
        ...o.payload,
        ...(o.waitForTaskToken ? { taskToken: '{% $states.context.Task.Token %}' } : {}),
      };
      const resource = `arn:aws:states:::lambda:invoke${o.waitForTaskToken ? '.waitForTaskToken' : ''}`;
      const args = { FunctionName: placeholder(functionPlaceholder(o.fn)), Payload: payload };
      return {
        asl: render(o, resource, args, [LAMBDA_SERVICE_RETRY, ...(o.retry ?? [])]),
        stage: o.stage,
        fn: o.fn,
      };
    },
    service(o) {
      return { asl: render(o, o.resource, o.Arguments, undefined), stage: o.stage };
    },
  };
}
