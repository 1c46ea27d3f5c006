import { join } from 'node:path';
import { DirArtifactStore } from '../../functions/shared/adapters/local/dir-artifact-store.js';
import { DirLedger } from '../../functions/shared/adapters/local/dir-ledger.js';
import {
  DiskBudgetSnapshotProvider,
  type LocalSnapshots,
} from '../../functions/shared/adapters/local/disk-budget-snapshot-provider.js';
import { FileApprovalStore } from '../../functions/shared/adapters/local/file-approval-store.js';
import { FileLockTable } from '../../functions/shared/adapters/local/file-lock-table.js';
import { GitSourceRepository } from '../../functions/shared/adapters/local/git-source-repository.js';
import { LocalSnapshotProvider } from '../../functions/shared/adapters/local/local-snapshot-provider.js';
import { OciImageRegistry } from '../../functions/shared/adapters/local/oci-image-registry.js';
import { VolumeHost } from '../../functions/shared/adapters/local/pglite-volumes.js';
import { ProcessAppMetrics } from '../../functions/shared/adapters/local/process-app-metrics.js';
import { ProcessDeployer } from '../../functions/shared/adapters/local/process-deployer.js';
import { ProcessReleaseTrials } from '../../functions/shared/adapters/local/process-release-trials.js';
import { ProcessTestRunner } from '../../functions/shared/adapters/local/process-test-runner.js';
import { ProcessTrafficRouter } from '../../functions/shared/adapters/local/process-traffic-router.js';
import { ProxyMetricsSource } from '../../functions/shared/adapters/local/proxy-metrics-source.js';
import type { WaitingClock } from '../../functions/shared/clock.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import { ConfigError } from '../../functions/shared/errors.js';
import type { Notifier } from '../../functions/shared/ports/notifier.js';
import type { TaskCallback } from '../../functions/shared/ports/task-callback.js';
import type { TollgatePorts } from '../../functions/shared/ports/tollgate-ports.js';
import { lazyPorts } from '../../functions/shared/wiring/lazy-ports.js';
import type { EngineClock } from '../engine/clock.js';

/**
 * Where each local adapter keeps its data under `.tollgate/`: one directory per port, so a port's
 * files can be inspected or wiped alone (README, "Architecture" lists what each one holds).
 */
export function dataLayout(dataDir: string) {
  return {
    artifacts: join(dataDir, 'artifacts'),
    oci: join(dataDir, 'oci'),
    ledger: join(dataDir, 'ledger'),
    locks: join(dataDir, 'locks'),
    inbox: join(dataDir, 'inbox'),
    approvals: join(dataDir, 'approvals'),
    logs: join(dataDir, 'logs'),
    engine: join(dataDir, 'engine'),
  } as const;
}

export interface LocalPortsOptions {
  readonly dataDir: string;
  readonly config: TollgateConfig;
  readonly clock: WaitingClock;
  readonly notifier: Notifier;
  /** Resumes runs waiting on a task token: in-process against the local engine. */
  readonly callback: TaskCallback;
  /** Repository name → working copy: the commits events may name. */
  readonly repositories: Readonly<Record<string, string>>;
  /**
   * Arms test-stage timeouts, as it arms build timeouts (function-runner.ts): a clock that jumps
   * over Wait states in tests must not time out a command running for real. @default clock
   */
  readonly timers?: EngineClock;
  /**
   * How long a poll of a running snapshot, rollout or trial waits for it to end (poll-hold.ts).
   * 0 where Wait states take no time (a fake engine clock): there a hold would only spend real time
   * the run's clock never sees. @default POLL_HOLD_MS
   */
  readonly pollHoldMs?: number;
}

export interface LocalPorts extends TollgatePorts {
  readonly deployer: ProcessDeployer;
  readonly snapshots: LocalSnapshots;
  /** Serves each environment's PGlite volume on its database port. */
  readonly volumes: VolumeHost;
}

/** Database port per environment, from config (`environments[].database.port`). */
export function databasePorts(config: TollgateConfig): Record<string, number> {
  return Object.fromEntries(
    config.environments.flatMap((env) =>
      env.database?.port ? [[env.name, env.database.port] as const] : [],
    ),
  );
}

/**
 * The local side of every port, built once per runtime: the process deployer's proxies and apps
 * live as long as `tollgate up`, so every task invocation must share the same instance.
 */
export function createLocalPorts(options: LocalPortsOptions): LocalPorts {
  const layout = dataLayout(options.dataDir);
  const artifacts = new DirArtifactStore(layout.artifacts);
  const deployer = new ProcessDeployer({
    config: options.config,
    dataDir: options.dataDir,
    artifacts,
    clock: options.clock,
    pollHoldMs: options.pollHoldMs,
  });
  const trials = new ProcessReleaseTrials({
    config: options.config,
    dataDir: options.dataDir,
    artifacts,
    clock: options.clock,
    pollHoldMs: options.pollHoldMs,
  });
  const timers = options.timers;
  const testRunner = new ProcessTestRunner({
    config: options.config,
    dataDir: options.dataDir,
    artifacts,
    clock: timers ? { now: () => new Date(timers.now()) } : options.clock,
  });
  const volumes = new VolumeHost({ dataDir: options.dataDir });
  const provider = new LocalSnapshotProvider({
    dataDir: options.dataDir,
    host: volumes,
    ports: databasePorts(options.config),
    protectedVolumes: options.config.database ? [options.config.database.source] : [],
    clock: options.clock,
    pollHoldMs: options.pollHoldMs,
  });
  const budget = options.config.runtime.diskBudget;
  const snapshots: LocalSnapshots = budget
    ? new DiskBudgetSnapshotProvider(provider, {
        dataDir: options.dataDir,
        budget,
        volumeDir: (name) => volumes.volumeDir(name),
      })
    : provider;
  const bag = lazyPorts({
    config: () => options.config,
    clock: () => options.clock,
    artifacts: () => artifacts,
    images: () => new OciImageRegistry(layout.oci),
    deployer: () => deployer,
    ledger: () => new DirLedger(layout.ledger),
    locks: () => new FileLockTable(layout.locks),
    notifier: () => options.notifier,
    metrics: () => new ProxyMetricsSource((env) => deployer.requestLog(env)),
    traffic: () => new ProcessTrafficRouter(deployer),
    appMetrics: () => new ProcessAppMetrics((env, release) => deployer.appPort(env, release)),
    cloudChecks: () => {
      // The local config check refuses cloudwatch and alarm checks before a run starts.
      throw new ConfigError(
        'cloudwatch and alarm analysis checks read CloudWatch, which only the AWS stack has',
      );
    },
    trials: () => trials,
    testRunner: () => testRunner,
    snapshots: () => snapshots,
    approvals: () => new FileApprovalStore(layout.approvals),
    callback: () => options.callback,
    source: () => new GitSourceRepository(options.repositories),
  });
  return Object.defineProperty(bag, 'volumes', { value: volumes, enumerable: true }) as LocalPorts;
}
