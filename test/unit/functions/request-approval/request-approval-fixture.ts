import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { releaseMetadataKey, sequenceKey } from '../../../../functions/register-release/release-keys.js';
import { DirArtifactStore } from '../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import { FileApprovalStore } from '../../../../functions/shared/adapters/local/file-approval-store.js';
import { FileLockTable } from '../../../../functions/shared/adapters/local/file-lock-table.js';
import { InboxNotifier } from '../../../../functions/shared/adapters/local/inbox-notifier.js';
import type { ApprovalTaskPorts } from '../../../../functions/shared/approvals/approval-ports.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/load-config.js';
import type { TollgateConfigInput } from '../../../../functions/shared/config/schema.js';
import type { ReleaseMetadata, ReleaseRef } from '../../../../functions/shared/release.js';
import { lazyPorts } from '../../../../functions/shared/wiring/lazy-ports.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { RecordingTaskCallback } from '../approve/approval-fixture.js';

export const PIPELINE = 'orders-service';

export function gatedConfig(over: Partial<TollgateConfigInput> = {}) {
  return parseConfig(
    validConfig({
      database: { engine: 'postgres', migrations: 'migrations' },
      environments: [
        { name: 'test', deploy: { type: 'process', command: 'node src/server.mjs', port: 4701 } },
        {
          name: 'prod',
          deploy: { type: 'process', command: 'node src/server.mjs', port: 4703 },
          approval: { approvers: ['bob', 'carol'], timeout: '1h', minApprovals: 1 },
        },
      ],
      ...over,
    }),
  );
}

/** Real local adapters in a temp dir: what the local runtime wires, minus the engine. */
export function localApprovalPorts(config = gatedConfig()) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-request-'));
  const clock = new ManualClock('2026-01-01T00:00:00.000Z');
  const callback = new RecordingTaskCallback();
  const approvals = new FileApprovalStore(join(dir, 'approvals'));
  const locks = new FileLockTable(join(dir, 'locks'));
  const notUsed = (what: string) => () => {
    throw new Error(`request-approval must not use ${what}`);
  };
  const base = lazyPorts({
    config: () => config,
    clock: () => clock,
    artifacts: () => new DirArtifactStore(join(dir, 'artifacts')),
    ledger: () => new DirLedger(join(dir, 'ledger')),
    notifier: () => new InboxNotifier(join(dir, 'inbox'), clock),
    images: notUsed('images'),
    deployer: notUsed('the deployer'),
    locks: () => locks,
    metrics: notUsed('metrics'),
    testRunner: notUsed('the test runner'),
    traffic: notUsed('the traffic router'),
    trials: notUsed('release trials'),
    appMetrics: notUsed('app metrics'),
    cloudChecks: notUsed('CloudWatch checks'),
    snapshots: notUsed('snapshots'),
    approvals: () => approvals,
    callback: () => callback,
    source: notUsed('the source repository'),
  });
  return { dir, clock, callback, ports: base as ApprovalTaskPorts };
}

/** A gzipped release tarball holding the given migration files. */
async function releaseTarball(migrations: string[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const name of migrations) pack.entry({ name: `migrations/${name}` }, `-- ${name}\nSELECT 1;\n`);
  pack.entry({ name: 'src/server.mjs' }, 'export {};\n');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack.pipe(createGzip())) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Registers release `r<seq>-<commit7>` the way register-release stores it. */
export async function storeRelease(
  ports: ApprovalTaskPorts,
  sequence: number,
  migrations: string[],
  message = `change ${sequence}`,
): Promise<ReleaseRef> {
  const commit = `${String(sequence).repeat(7).slice(0, 7)}`.padEnd(40, 'a');
  const version = `r${sequence}-${commit.slice(0, 7)}`;
  const { Readable } = await import('node:stream');
  const ingested = await ports.artifacts.ingest(Readable.from([await releaseTarball(migrations)]));
  await ports.artifacts.putImmutable(
    sequenceKey(PIPELINE, sequence),
    JSON.stringify({ executionArn: `run-${sequence}`, stateName: 'Register', commit }),
  );
  const meta: ReleaseMetadata = {
    pipeline: PIPELINE,
    version,
    sequence,
    commit,
    branch: 'main',
    repository: 'orders-service',
    author: { name: 'dev', email: 'dev@example.com' },
    message,
    commitTime: '2026-01-01T00:00:00.000Z',
    buildTime: '2026-01-01T00:00:00.000Z',
    digest: ingested.digest,
    size: ingested.size,
    artifactKey: ingested.key,
    executionArn: `run-${sequence}`,
    registeredAt: '2026-01-01T00:00:00.000Z',
  };
  await ports.artifacts.putImmutable(releaseMetadataKey(PIPELINE, version), JSON.stringify(meta));
  return { version, digest: ingested.digest, artifactKey: ingested.key, commit };
}
