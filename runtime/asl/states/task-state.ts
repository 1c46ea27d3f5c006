import { StatesError, StatesErrorName } from '../errors/states-error.js';
import { runLambdaFunction } from '../task/lambda-function-runner.js';
import { type RecordedAttempt, recordedAttempt } from '../task/recorded-attempt.js';
import { runServiceTask } from '../task/service-task-runner.js';
import { IntegrationPattern } from '../task/task-integration.js';
import type { TaskInvocation } from '../task/task-invocation.js';
import { parseTaskResource, type TaskResource } from '../task/task-resource.js';
import type { IssuedTaskToken } from '../task/task-token-broker.js';
import { ExecutionState } from './execution-state.js';
import { effectiveInput } from './io-processing.js';
import { readPositiveSeconds } from './positive-seconds.js';
import type { StateRun } from './state-run.js';
import { isStateStop } from './stoppable-work.js';

export class TaskState extends ExecutionState {
  readonly type = 'Task';

  protected async attempt(run: StateRun, retryCount: number): Promise<unknown> {
    const { frame } = run;
    const services = frame.services;
    const resource = parseTaskResource(String(this.definition.Resource));
    if (!resource) {
      throw new StatesError(
        StatesErrorName.Runtime,
        `${run.prefix} Unsupported resource: ${String(this.definition.Resource)}`,
      );
    }
    // Replace rather than mutate: earlier results may hold references into the context object.
    if (frame.context.State)
      frame.context = { ...frame.context, State: { ...frame.context.State, RetryCount: retryCount } };
    const recorded = recordedAttempt(services.recorder.pending(frame.cursor));
    if (recorded?.result) return replayAttempt(run, recorded);
    let token: IssuedTaskToken | undefined;
    const heartbeat = await readPositiveSeconds(run, 'HeartbeatSeconds');
    if (resource.kind === 'service' && resource.pattern === IntegrationPattern.WaitForTaskToken) {
      token = await services.tokens.issue({
        executionArn: services.executionArn,
        stateName: this.name,
        enteredEventId: run.enteredEventId,
        attempt: retryCount,
        heartbeatSeconds: heartbeat,
      });
      frame.context = { ...frame.context, Task: { Token: token.token } };
    }
    try {
      const parameters = await effectiveInput(run);
      const timeout = await readPositiveSeconds(run, 'TimeoutSeconds');
      const scheduledAt = recorded?.scheduledAt ?? services.clock.now();
      return await this.invokeWithTimeout(run, resource, parameters, timeout, heartbeat, token, scheduledAt);
    } finally {
      token?.cancel();
      if (frame.context.Task) {
        const { Task: _task, ...rest } = frame.context;
        frame.context = rest;
      }
    }
  }

  private invokeWithTimeout(
    run: StateRun,
    resource: TaskResource,
    parameters: unknown,
    timeoutSeconds: number | undefined,
    heartbeatSeconds: number | undefined,
    taskToken: IssuedTaskToken | undefined,
    /** When the attempt was scheduled: now, or before a restart for an attempt that was in flight. */
    startedAt: number,
  ): Promise<unknown> {
    const services = run.frame.services;
    const controller = new AbortController();
    let settled = false;
    const inv: TaskInvocation = {
      run,
      cursor: run.frame.cursor,
      parameters,
      timeoutSeconds,
      heartbeatSeconds,
      signal: controller.signal,
      taskToken,
      settle: () => {
        if (settled) return false;
        settled = true;
        return true;
      },
      live: () => !settled,
    };
    let rejectStopped: (reason: unknown) => void = () => undefined;
    const stopped = new Promise<never>((_, reject) => {
      rejectStopped = reject;
    });
    const onStop = () => {
      controller.abort(services.signal.reason);
      // A branch stopped by its Parallel or Map does not wait for its task: the late result is
      // dropped (settle), as AWS abandons the sibling's work.
      if (isStateStop(services.signal.reason) && inv.settle()) rejectStopped(services.signal.reason);
    };
    // An abort that came before this point fires no event; pass it on now or the task never ends.
    if (services.signal.aborted) onStop();
    else services.signal.addEventListener('abort', onStop, { once: true });
    const work = Promise.race([this.dispatch(resource, inv), stopped]);
    const cleanup = () => services.signal.removeEventListener('abort', onStop);
    if (timeoutSeconds === undefined) return work.finally(cleanup);
    return new Promise<unknown>((resolve, reject) => {
      // A task resumed after a restart keeps the deadline of the attempt that was running.
      const timer = services.clock.setTimer(startedAt + timeoutSeconds * 1000, () => {
        if (!inv.settle()) return;
        controller.abort(new StatesError(StatesErrorName.Timeout, undefined));
        this.publishTimedOut(run, resource).then(
          () => reject(new StatesError(StatesErrorName.Timeout, undefined)),
          reject,
        );
      });
      work.then(resolve, reject).finally(() => {
        timer.cancel();
        cleanup();
      });
    });
  }

  private dispatch(resource: TaskResource, inv: TaskInvocation): Promise<unknown> {
    if (resource.kind === 'lambda-function') return runLambdaFunction(resource.arn, inv);
    if (resource.kind === 'service') return runServiceTask(resource, inv);
    return Promise.reject(
      new StatesError(
        StatesErrorName.Runtime,
        `${inv.run.prefix} Activities are not supported by this engine: ${resource.arn}`,
      ),
    );
  }

  private async publishTimedOut(run: StateRun, resource: TaskResource): Promise<void> {
    const { recorder } = run.frame.services;
    if (resource.kind === 'lambda-function') {
      await recorder.add(run.frame.cursor, 'LambdaFunctionTimedOut', {
        lambdaFunctionTimedOutEventDetails: { error: StatesErrorName.Timeout },
      });
      return;
    }
    if (resource.kind === 'service') {
      await recorder.add(run.frame.cursor, 'TaskTimedOut', {
        taskTimedOutEventDetails: {
          error: StatesErrorName.Timeout,
          resource: resource.resourceName,
          resourceType: resource.resourceType,
        },
      });
    }
  }
}

/**
 * Recovery replay of an attempt that had finished before the restart: its events are handed back
 * and its recorded result returned, so the task is not called again.
 */
async function replayAttempt(run: StateRun, recorded: RecordedAttempt): Promise<unknown> {
  for (const event of recorded.events) await run.frame.services.recorder.add(run.frame.cursor, event.type);
  if (recorded.result?.ok === false) throw recorded.result.error;
  return recorded.result?.output;
}
