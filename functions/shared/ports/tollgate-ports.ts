import type { WaitingClock } from '../clock.js';
import type { TollgateConfig } from '../config/schema.js';
import type { AppMetrics } from './app-metrics.js';
import type { ApprovalStore } from './approval-store.js';
import type { ArtifactStore } from './artifact-store.js';
import type { CloudChecks } from './cloud-checks.js';
import type { Deployer } from './deployer.js';
import type { ImageRegistry } from './image-registry.js';
import type { Ledger } from './ledger.js';
import type { LockTable } from './lock-table.js';
import type { MetricsSource } from './metrics-source.js';
import type { Notifier } from './notifier.js';
import type { ReleaseTrials } from './release-trials.js';
import type { SnapshotProvider } from './snapshot-provider.js';
import type { SourceRepository } from './source-repository.js';
import type { TaskCallback } from './task-callback.js';
import type { TestRunner } from './test-runner.js';
import type { TrafficRouter } from './traffic-router.js';

/**
 * Everything a task may touch. A handler receives a factory for this bag: `handler.ts` passes the
 * AWS wiring, the local function runner passes the local wiring. Logic functions take only the
 * ports they need, so tests hand them exactly those. Every port is built lazily on first access
 * (see wiring/lazy-ports.ts), so a task never constructs, or needs permission for, one it does not use.
 */
export interface TollgatePorts {
  readonly config: TollgateConfig;
  /** Time, and waits that tests can skip (see clock.ts). */
  readonly clock: WaitingClock;
  readonly artifacts: ArtifactStore;
  readonly images: ImageRegistry;
  readonly deployer: Deployer;
  readonly ledger: Ledger;
  readonly locks: LockTable;
  readonly notifier: Notifier;
  readonly metrics: MetricsSource;
  /** Splits an environment's traffic between its release and a canary (canary strategies). */
  readonly traffic: TrafficRouter;
  /** The Prometheus metrics a release's process exposes (`prometheus` analysis checks). */
  readonly appMetrics: AppMetrics;
  /** CloudWatch metric math and alarm states (`cloudwatch` and `alarm` checks, AWS only). */
  readonly cloudChecks: CloudChecks;
  /** A release run beside an environment, without traffic (the backward-compatibility check). */
  readonly trials: ReleaseTrials;
  /** Runs an environment's test stages against a deployed release (local only for now). */
  readonly testRunner: TestRunner;
  /** Storage snapshots of environment databases (data refresh). */
  readonly snapshots: SnapshotProvider;
  readonly approvals: ApprovalStore;
  /** Resumes a run waiting on a task token (SendTaskSuccess/Failure). */
  readonly callback: TaskCallback;
  /** The repository commits come from: whether a commit an event names exists. */
  readonly source: SourceRepository;
}

/** Built once per container (AWS) or per runtime (local), on first use. */
export type PortsFactory = () => Promise<TollgatePorts>;
