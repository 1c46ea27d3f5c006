import type { Clock } from '../../functions/shared/clock.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import type { Notifier } from '../../functions/shared/ports/notifier.js';
import { TASKS } from '../../functions/task-registry.js';
import { createLocalBuilder } from '../builder/local-builder.js';
import { ObjectLambdaInvoker } from '../engine/lambda/object-lambda-invoker.js';
import { createLocalPorts, dataLayout, type LocalPorts } from './local-ports.js';
import { LOCAL_BUILDER_FUNCTION, localFunctionName } from './local-substitutions.js';
import { TASK_HANDLERS } from './task-handlers.js';

export interface FunctionRunnerOptions {
  readonly dataDir: string;
  readonly config: TollgateConfig;
  readonly clock: Clock;
  readonly notifier: Notifier;
  /** Repository name → working copy, for the local builder. */
  readonly repositories: Readonly<Record<string, string>>;
}

export interface FunctionRunner {
  readonly invoker: ObjectLambdaInvoker;
  readonly ports: LocalPorts;
  /** Stops the environment proxies; apps keep running unless `keepApps` is false. */
  close(options?: { keepApps?: boolean }): Promise<void>;
}

/** Binds every task's handler to the local ports under the local function names the ASL is given. */
export function createFunctionRunner(options: FunctionRunnerOptions): FunctionRunner {
  const ports = createLocalPorts(options);
  const factory = async () => ports;
  const handlers: Record<string, (event: unknown) => Promise<unknown>> = {};
  for (const task of TASKS) {
    const handler = TASK_HANDLERS[task.name](factory);
    handlers[localFunctionName(task.name)] = (event) => handler(event, { awsRequestId: 'local' });
  }
  handlers[LOCAL_BUILDER_FUNCTION] = createLocalBuilder({
    config: options.config,
    repositories: options.repositories,
    artifactsRoot: dataLayout(options.dataDir).artifacts,
    logsDir: dataLayout(options.dataDir).logs,
    clock: options.clock,
  });
  return {
    invoker: new ObjectLambdaInvoker(handlers),
    ports,
    close: (closeOptions = { keepApps: true }) => ports.deployer.close(closeOptions),
  };
}
