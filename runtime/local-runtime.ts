import { mkdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { createDiffRoute } from '../console/server/diff-route.js';
import { createRedeployRoute } from '../console/server/redeploy-route.js';
import { originUrl, repositoryOf } from '../console/server/repository-link.js';
import { DataDirLock } from '../functions/shared/adapters/local/data-dir-lock.js';
import { DirArtifactStore } from '../functions/shared/adapters/local/dir-artifact-store.js';
import { InboxNotifier } from '../functions/shared/adapters/local/inbox-notifier.js';
import { assertRunsLocally, loadConfig } from '../functions/shared/config/index.js';
import type { TollgateConfig } from '../functions/shared/config/schema.js';
import { commitRules, createEventBus, type EventBus } from './bus/index.js';
import { ArtifactStoreMapObjects } from './engine/artifact-map-objects.js';
import { type EngineClock, SystemEngineClock } from './engine/clock.js';
import { createEngine, type Engine } from './engine/engine.js';
import { handlerClockOn } from './engine-time.js';
import { createFunctionRunner, type FunctionRunner } from './function-runner/function-runner.js';
import { dataLayout } from './function-runner/local-ports.js';
import { watchRunEnds } from './function-runner/run-end-watcher.js';
import { createApprovalsRoute } from './local-api/approvals-route.js';
import { loadOrCreateSecret } from './local-api/auth.js';
import {
  type ApiServer,
  createApiServer,
  type ExtraRoutes,
  loadOrCreateCredentials,
} from './server/index.js';
import { FileLogStore } from './store/file-log-store.js';
import { startExecutionTarget } from './up/bus-target.js';
import { chainRoutes, loadConsoleRoutes } from './up/console-routes.js';
import { withLocalIdentity } from './up/local-identity.js';
import { deployPipeline, PIPELINE_ASL } from './up/pipeline-deployment.js';
import { RUNTIME_LOCK_FILE, removeRuntimeInfo, writeRuntimeInfo } from './up/runtime-info.js';

const DEFAULT_PORT = 4600;
export const DEFAULT_DATA_DIR = '.tollgate';

export interface LocalRuntimeOptions {
  /** @default '.tollgate' */
  readonly dataDir?: string;
  /** @default TOLLGATE_ENDPOINT's port, else 4600; 0 picks a free port. */
  readonly port?: number;
  /** The repository holding `tollgate.config.ts`. */
  readonly projectDir: string;
  /** Repository name → working copy for the local builder. @default { [config.source.repository]: projectDir } */
  readonly repositories?: Readonly<Record<string, string>>;
  /** Start-up and shutdown lines. @default console.log */
  readonly print?: (line: string) => void;
  /** The project's config when the caller loaded it already (loading runs a child process). @default loaded from projectDir */
  readonly config?: TollgateConfig;
  /** The user decisions from the console are attributed to. @default TOLLGATE_USER, else the OS user */
  readonly user?: string;
  /** The one source of time: the engine runs on it and the handlers' ports read it. @default the system's */
  readonly clock?: EngineClock;
}

export interface LocalRuntime {
  readonly endpoint: string;
  readonly port: number;
  readonly dataDir: string;
  readonly config: TollgateConfig;
  readonly stateMachineArn: string;
  readonly engine: Engine;
  readonly runner: FunctionRunner;
  readonly bus: EventBus;
  readonly server: ApiServer;
  /** Stops everything; apps keep running so the next start re-adopts them. Idempotent. */
  close(): Promise<void>;
}

/**
 * `tollgate up` without the terminal: one process serving the engine API, the event bus, the
 * approvals and console routes on one loopback port, with the function runner, the local volumes
 * and the environments behind it. A restart on the same data directory replays the engine's store,
 * so every open run resumes; running apps are re-adopted by the deployer.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const port = options.port ?? portFromEnvironment();
  const print = options.print ?? ((line: string) => console.log(line));
  const user = options.user ?? (process.env.TOLLGATE_USER || userInfo().username);
  const projectDir = resolve(options.projectDir);
  // The config is read before anything under the data directory changes: a bad config touches nothing.
  const config = withLocalIdentity(options.config ?? (await loadConfig(projectDir)), user, projectDir);
  assertRunsLocally(config);
  mkdirSync(dataDir, { recursive: true });
  const lock = DataDirLock.acquire(join(dataDir, RUNTIME_LOCK_FILE), `data directory ${dataDir}`);
  const cleanup: Array<() => Promise<unknown>> = [async () => lock.release()];
  const unwind = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const credentials = await loadOrCreateCredentials(dataDir);
    const secret = loadOrCreateSecret(dataDir);
    const layout = dataLayout(dataDir);
    mkdirSync(layout.logs, { recursive: true });
    // Bound late: the runner needs the engine for task callbacks, and the engine needs the runner.
    let engine: Engine;
    let stateMachineArn = '';
    const clock = options.clock ?? new SystemEngineClock();
    const handlerClock = handlerClockOn(clock);
    const runner = createFunctionRunner({
      dataDir,
      config,
      clock: handlerClock,
      notifier: new InboxNotifier(layout.inbox, handlerClock),
      repositories: options.repositories ?? { [config.source.repository]: projectDir },
      engine: () => engine.service,
      timers: clock,
    });
    cleanup.push(() => runner.close({ keepApps: true }));
    const store = await FileLogStore.open(layout.engine, { timers: clock, warn: print });
    // A distributed Map's ItemReader and ResultWriter buckets, laid out as under `tollgate engine`.
    const objects = new ArtifactStoreMapObjects(new DirArtifactStore(join(dataDir, 'objects')));
    engine = createEngine({ store, clock, lambda: runner.invoker, objects, accountId: '000000000000' });
    cleanup.push(() => engine.close());
    // A stopped, timed-out or failed run frees the lock and kills its build at once.
    const runEnds = watchRunEnds(engine, runner, (error, arn) =>
      print(`could not release the lock of ${arn}: ${error.message}`),
    );
    cleanup.push(async () => {
      runEnds.stop();
      await runEnds.settled();
    });
    const bus = createEventBus({
      clock,
      dataDir,
      rules: commitRules(config),
      accountId: '000000000000',
      onMatch: startExecutionTarget(engine.service, () => stateMachineArn),
    });
    cleanup.push(() => bus.close());

    let listening = 0;
    const approvals = createApprovalsRoute({
      secret,
      port: () => listening,
      runtimeUser: user,
      ports: async () => runner.ports,
    });
    // The console needs the listening port and the deployed state machine, so it is mounted later.
    let consoleRoutes: ExtraRoutes | undefined;
    // Listening first: a port in use fails the start before any run resumes or app is touched.
    const server = await createApiServer({
      services: [engine.service, bus],
      credentials,
      port,
      extraRoutes: chainRoutes(approvals, (req, res) => consoleRoutes?.(req, res) ?? false),
    });
    listening = server.port;
    cleanup.push(() => server.close());

    await runner.openVolumes();
    const resumed = await runner.ports.deployer.resume();
    await engine.start();
    const deployed = await deployPipeline(engine.service, config.name);
    stateMachineArn = deployed.stateMachineArn;
    // The release page's "Deploy to …": tollgate deploy's check and event, as the runtime's user.
    const redeploy = createRedeployRoute({
      config,
      ledger: runner.ports.ledger,
      artifacts: runner.ports.artifacts,
      sfn: engine.service,
      stateMachineArn: () => stateMachineArn,
      secret,
      port: () => server.port,
      user,
    });
    const sourceDir = options.repositories?.[config.source.repository] ?? projectDir;
    const mounted = await loadConsoleRoutes({
      sfn: engine.service,
      ledger: runner.ports.ledger,
      approvals: runner.ports.approvals,
      taskLogs: runner.taskLogs,
      repository: repositoryOf(config, { remoteUrl: await originUrl(sourceDir) }),
      aslText: readFileSync(PIPELINE_ASL, 'utf8'),
      stateMachineArn,
      config,
      secret,
      clock: handlerClock,
      port: server.port,
      onEvent: (listener: Parameters<Engine['onEvent']>[0]) => engine.onEvent(listener),
    });
    // The diff page: releases from the artifact store, commits from the working copies.
    const diff = createDiffRoute({
      config,
      ledger: runner.ports.ledger,
      artifacts: runner.ports.artifacts,
      source: runner.ports.source,
      port: () => server.port,
    });
    if (mounted) {
      consoleRoutes = chainRoutes(redeploy, diff, mounted);
      cleanup.push(async () => mounted.close?.());
    }
    await bus.start();
    await writeRuntimeInfo(dataDir, {
      pid: process.pid,
      endpoint: server.endpoint,
      port: server.port,
      startedAt: new Date().toISOString(),
      projectDir,
      pipeline: config.name,
    });
    cleanup.push(() => removeRuntimeInfo(dataDir, process.pid));

    print(`Tollgate is up on ${server.endpoint} (data in ${dataDir}, logs in ${layout.logs})`);
    for (const report of resumed) {
      if (report.action !== 'none') {
        print(
          `  ${report.environment}: ${report.action} ${report.version ?? ''}${report.reason ? ` (${report.reason})` : ''}`.trimEnd(),
        );
      }
      const canary = report.canary;
      if (canary) {
        // A canary restored with its split (or dropped, the baseline then takes every request).
        print(
          `  ${report.environment}: canary ${canary.version} ${canary.action}, ${canary.percent}% of new requests${canary.reason ? ` (${canary.reason})` : ''}`,
        );
      }
    }

    let closing: Promise<void> | undefined;
    return {
      endpoint: server.endpoint,
      port: server.port,
      dataDir,
      config,
      stateMachineArn,
      engine,
      runner,
      bus,
      server,
      close: () => {
        closing ??= unwind();
        return closing;
      },
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}

function portFromEnvironment(): number {
  const endpoint = process.env.TOLLGATE_ENDPOINT;
  if (!endpoint) return DEFAULT_PORT;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(
      `TOLLGATE_ENDPOINT must be a URL such as http://127.0.0.1:4600, got ${JSON.stringify(endpoint)}`,
    );
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return port;
}
