import { join } from 'node:path';
import { DirArtifactStore } from '../../functions/shared/adapters/local/dir-artifact-store.js';
import { DirLedger } from '../../functions/shared/adapters/local/dir-ledger.js';
import { FileLockTable } from '../../functions/shared/adapters/local/file-lock-table.js';
import { OciImageRegistry } from '../../functions/shared/adapters/local/oci-image-registry.js';
import { ProcessDeployer } from '../../functions/shared/adapters/local/process-deployer.js';
import { ProxyMetricsSource } from '../../functions/shared/adapters/local/proxy-metrics-source.js';
import type { Clock } from '../../functions/shared/clock.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import type { Notifier } from '../../functions/shared/ports/notifier.js';
import type { TollgatePorts } from '../../functions/shared/ports/tollgate-ports.js';
import { lazyPorts } from '../../functions/shared/wiring/lazy-ports.js';

/** Where each local adapter keeps its data under `.tollgate/` (DESIGN.md, "Data directory"). */
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
  readonly clock: Clock;
  readonly notifier: Notifier;
}

export interface LocalPorts extends TollgatePorts {
  readonly deployer: ProcessDeployer;
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
  });
  return lazyPorts({
    config: () => options.config,
    clock: () => options.clock,
    artifacts: () => artifacts,
    images: () => new OciImageRegistry(layout.oci),
    deployer: () => deployer,
    ledger: () => new DirLedger(layout.ledger),
    locks: () => new FileLockTable(layout.locks),
    notifier: () => options.notifier,
    metrics: () => new ProxyMetricsSource((env) => deployer.requestLog(env)),
  }) as LocalPorts;
}
