import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { RegisterReleaseInput } from '../../../../functions/register-release/input.js';
import { DirArtifactStore } from '../../../../functions/shared/adapters/local/dir-artifact-store.js';
import {
  OciImageRegistry,
  writeImage,
} from '../../../../functions/shared/adapters/local/oci-image-registry.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/load-config.js';
import type { TollgateConfig } from '../../../../functions/shared/config/schema.js';
import type { Ledger, LedgerEntry, StoredLedgerEntry } from '../../../../functions/shared/ports/ledger.js';
import type { SourceRepository } from '../../../../functions/shared/ports/source-repository.js';

/**
 * A minimal in-memory Ledger: a test double for the collaborator (the real ledgers have their own
 * contract suite). It records appends and honours idempotencyKey like the port promises.
 */
export class RecordingLedger implements Ledger {
  readonly entries: StoredLedgerEntry[] = [];
  appendCalls = 0;
  async append(entry: LedgerEntry) {
    this.appendCalls++;
    const existing = this.entries.find((e) => e.idempotencyKey === entry.idempotencyKey);
    if (existing) return { seq: existing.seq, created: false };
    const stored = { ...entry, seq: this.entries.length + 1 };
    this.entries.push(stored);
    return { seq: stored.seq, created: true };
  }
  async query() {
    return [...this.entries];
  }
  /** The `release` entries: what these tests count (each run also records its release's contents). */
  get releases(): StoredLedgerEntry[] {
    return this.entries.filter((e) => e.kind === 'release');
  }
}

export const COMMIT = '1a2b3c4d5e6f708192a3b4c5d6e7f80912345678';

export function configFor(withImage: boolean): TollgateConfig {
  return parseConfig({
    name: 'orders',
    source: { repository: 'orders-service' },
    build: {
      command: 'npm run build',
      artifact: 'dist/release.tgz',
      ...(withImage ? { image: { repository: 'orders' } } : {}),
    },
    environments: [{ name: 'test', deploy: { type: 'process', command: 'node server.js', port: 4701 } }],
  });
}

export function inputFor(
  overrides: Partial<RegisterReleaseInput> & { commitId?: string } = {},
): RegisterReleaseInput {
  const { commitId, ...rest } = overrides;
  const commit = commitId ?? COMMIT;
  return {
    executionArn: 'arn:aws:states:local:000000000000:execution:orders:run-1',
    stateName: 'Register release',
    pipeline: 'orders',
    commit: {
      repository: 'orders-service',
      branch: 'main',
      commit,
      parents: [],
      author: { name: 'Ada', email: 'ada@example.com' },
      message: 'Add orders endpoint',
      timestamp: '2026-01-01T00:00:00.000Z',
    },
    build: { artifactKey: `builds/${commit}/release.tgz` },
    ...rest,
  };
}

export interface Workspace {
  readonly root: string;
  readonly artifacts: DirArtifactStore;
  readonly images: OciImageRegistry;
  readonly ledger: RecordingLedger;
  readonly clock: ManualClock;
  /** A source without history: these tests are about the release; release-contents.test.ts lists commits from real git. */
  readonly source: Pick<SourceRepository, 'commitsBetween'>;
  /** Leaves a release tarball where the build would, returning its bytes. */
  stageBuild(commit?: string, content?: string): Promise<Buffer>;
  /** Writes a real image to the OCI layout from the staged tarball; returns its digest. */
  buildImage(content: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), 'tollgate-register-'));
  const artifacts = new DirArtifactStore(join(root, 'artifacts'));
  const clock = new ManualClock('2026-01-02T03:04:05.000Z');
  return {
    root,
    artifacts,
    images: new OciImageRegistry(join(root, 'oci')),
    ledger: new RecordingLedger(),
    clock,
    source: { commitsBetween: async () => ({ listed: false, detail: 'no history in this test' }) },
    async stageBuild(commit = COMMIT, content = `release of ${commit}`) {
      const bytes = gzipSync(Buffer.from(content));
      // Where the local builder leaves its output: a plain file at the staging key.
      await mkdir(join(root, 'artifacts', 'builds', commit), { recursive: true });
      await writeFile(join(root, 'artifacts', 'builds', commit, 'release.tgz'), bytes);
      return bytes;
    },
    async buildImage(content) {
      const layer = join(root, `${content}.tgz`);
      await writeFile(layer, gzipSync(Buffer.from(content)));
      return (await writeImage(join(root, 'oci'), { layer, created: clock.now() })).digest;
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}
