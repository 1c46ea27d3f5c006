import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { InvalidInputError, toError } from './errors.js';
import { invocationLogger, logLevel } from './logger.js';
import type { TaskLogSink } from './ports/task-logs.js';
import type { PortsFactory, TollgatePorts } from './ports/tollgate-ports.js';
import { redact } from './redaction.js';

export interface TaskDefinition<S extends z.ZodType, R> {
  /** Function name, e.g. `register-release`; also the Powertools service name. */
  readonly name: string;
  readonly input: S;
  readonly run: (input: z.output<S>, ports: TollgatePorts, context: TaskContext) => Promise<R>;
}

export interface TaskContext {
  readonly awsRequestId: string;
  readonly logger: Logger;
}

/**
 * What the local function runner adds to Lambda's context: where the task's log lines are kept.
 * Lambda's own context has no such field; there, stdout is the function's CloudWatch log group.
 */
export interface LocalInvocation {
  readonly taskLog?: TaskLogSink;
}

export type TaskHandler<R> = (event: unknown, context?: Partial<Context> & LocalInvocation) => Promise<R>;

/**
 * Builds a Lambda handler: middy chain with the Powertools logger, zod input validation and error
 * normalisation. `handler.ts` files call this with the AWS ports; the local function runner calls
 * it with local ports. The logic never knows which.
 */
export function defineTask<S extends z.ZodType, R>(
  task: TaskDefinition<S, R>,
  ports: PortsFactory,
): TaskHandler<R> {
  const level = logLevel();
  let cached: Promise<TollgatePorts> | undefined;
  const getPorts = () => {
    cached ??= ports().catch((error) => {
      cached = undefined; // a failed wiring must not poison the next invocation
      throw error;
    });
    return cached;
  };

  const core = async (event: unknown, context: Context): Promise<R> => {
    const parsed = task.input.safeParse(event);
    if (!parsed.success) {
      const detail = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`)
        .join('; ');
      throw new InvalidInputError(`${task.name}: invalid input: ${detail}`);
    }
    // Each invocation logs through its own logger, keyed by run, state and environment: tasks of
    // one function run at once locally (an environment each), and their lines must not mix.
    const where = parsed.data as { executionArn?: string; stateName?: string; environment?: unknown };
    const log = invocationLogger(
      task.name,
      {
        executionArn: where.executionArn,
        stateName: where.stateName,
        environment: typeof where.environment === 'string' ? where.environment : undefined,
      },
      { sink: (context as LocalInvocation | undefined)?.taskLog, level },
    );
    if (context) log.addContext(context);
    // The full (redacted) input only at DEBUG: at INFO a run's log stays one short line per task.
    log.info('task started');
    log.debug('task input', { input: redact(parsed.data) as Record<string, unknown> });
    try {
      const result = await task.run(parsed.data, await getPorts(), {
        awsRequestId: context?.awsRequestId ?? 'local',
        logger: log,
      });
      log.info('task finished');
      return result;
    } catch (thrown) {
      const error = toError(thrown);
      log.error('task failed', { errorName: error.name, errorMessage: error.message });
      throw error;
    }
  };

  const wrapped = middy(core);
  return (event, context) => wrapped(event, (context ?? {}) as Context);
}
