import { releaseEndedRun } from '../../functions/release-ended-run/release-ended-run.js';
import { SfnTaskCallback } from '../../functions/shared/adapters/aws/sfn-task-callback.js';
import { FileTaskLogs, taskLogsDir } from '../../functions/shared/adapters/local/file-task-logs.js';
import type { WaitingClock } from '../../functions/shared/clock.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import type { Notifier } from '../../functions/shared/ports/notifier.js';
import { TASKS } from '../../functions/task-registry.js';
import type { AwsJsonService } from '../api/aws-service.js';
import { createLocalBuilder } from '../builder/local-builder.js';
import type { EngineClock } from '../engine/clock.js';
import { ObjectLambdaInvoker } from '../engine/lambda/object-lambda-invoker.js';
import { inProcessSfnClient } from './in-process-sfn.js';
import { createLocalPorts, databasePorts, dataLayout, type LocalPorts } from './local-ports.js';
import { LOCAL_BUILDER_FUNCTION, localFunctionName } from './local-substitutions.js';
import { TASK_HANDLERS } from './task-handlers.js';

export interface FunctionRunnerOptions {
  readonly dataDir: string;
  readonly config: TollgateConfig;
  readonly clock: WaitingClock;
  readonly notifier: Notifier;
  /** Repository name → working copy, for the local builder. */
  readonly repositories: Readonly<Record<string, string>>;
  /** The engine's API, for task-token callbacks; late-bound because the engine needs this runner first. */
  readonly engine: () => AwsJsonService;
  /** The engine's clock: arms the build timeout. */
  readonly timers: EngineClock;
  /** See LocalPortsOptions.pollHoldMs. */
  readonly pollHoldMs?: number;
}

export interface FunctionRunner {
  readonly invoker: ObjectLambdaInvoker;
  readonly ports: LocalPorts;
  /** Each task's log lines, per run and state (the console's per-stage logs, `tollgate logs`). */
  readonly taskLogs: FileTaskLogs;
  /** Serves every environment database that has a port, so apps and checks can connect. */
  openVolumes(): Promise<void>;
  /**
   * A run ended (any status): an ABORTED, TIMED_OUT or FAILED one has its builds killed and its
   * lock released at once, as the run-end rule does on AWS.
   */
  runEnded(executionArn: string, status: string): Promise<void>;
  /** Stops the environment proxies and databases; apps keep running unless `keepApps` is false. */
  close(options?: { keepApps?: boolean }): Promise<void>;
}

/** Binds every task's handler to the local ports under the local function names the ASL is given. */
export function createFunctionRunner(options: FunctionRunnerOptions): FunctionRunner {
  const ports = createLocalPorts({
    ...options,
    callback: new SfnTaskCallback(inProcessSfnClient(options.engine)),
  });
  const factory = async () => ports;
  const taskLogs = new FileTaskLogs({ dir: taskLogsDir(options.dataDir) });
  const handlers: Record<string, (event: unknown) => Promise<unknown>> = {};
  for (const task of TASKS) {
    const handler = TASK_HANDLERS[task.name](factory);
    handlers[localFunctionName(task.name)] = (event) =>
      handler(event, { awsRequestId: 'local', taskLog: taskLogs });
  }
  const builder = createLocalBuilder({
    config: options.config,
    repositories: options.repositories,
    artifactsRoot: dataLayout(options.dataDir).artifacts,
    logsDir: dataLayout(options.dataDir).logs,
    clock: options.clock,
    timers: options.timers,
    taskLog: taskLogs,
  });
  handlers[LOCAL_BUILDER_FUNCTION] = builder;
  return {
    invoker: new ObjectLambdaInvoker(handlers),
    ports,
    taskLogs,
    async openVolumes() {
      for (const [name, port] of Object.entries(databasePorts(options.config)))
        await ports.volumes.open(name, port);
    },
    async runEnded(executionArn, status) {
      const outcome = await releaseEndedRun({ executionArn, status }, ports);
      if (outcome.status !== 'IGNORED') await builder.cancel(executionArn, `its run ended ${status}`);
    },
    async close(closeOptions = { keepApps: true }) {
      await builder.cancelAll('the local runtime is shutting down');
      await ports.deployer.close(closeOptions);
      await ports.snapshots.close();
      await ports.volumes.closeAll();
    },
  };
}
