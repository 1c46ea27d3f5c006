import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Clock, systemClock } from '../../clock.js';
import { ImmutableConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import type {
  ConnectionInfo,
  OperationRef,
  OperationStatus,
  ResourceInfo,
  ResourceRef,
  RestScan,
  SnapshotCapabilities,
  SnapshotLabels,
  SnapshotProvider,
  SnapshotRef,
  StartCloneRequest,
  StartSnapshotRequest,
  VolumeSetRef,
} from '../../ports/snapshot-provider.js';
import { matchesSelector, sameLabels } from '../../snapshots/labels.js';
import { BACKUP_FIRST_REFRESH } from '../../snapshots/refresh-steps.js';
import { deriveName, keyHash } from '../../snapshots/resource-names.js';
import { validateCloneRequest, validateSnapshotRequest } from '../../snapshots/validate-request.js';
import { realSleep, type Sleeper } from './app-process.js';
import { templateFiles } from './empty-cluster.js';
import { sumScans } from './forensic-scan.js';
import { type GenLocator, snapshotVolume } from './incremental-copy.js';
import { readJson, writeJson } from './json-file.js';
import { OperationJournal, type OperationRecord } from './operation-journal.js';
import { FillMode, type VolumeHost } from './pglite-volumes.js';
import { holdWhileRunning } from './poll-hold.js';
import { makeTreePrivate } from './private-node-fs.js';
import { StagingArea } from './staging-area.js';
import { readSnapshotFiles, type SnapshotFiles, type VolumeManifest } from './volume-manifest.js';

export interface LocalSnapshotProviderOptions {
  readonly dataDir: string;
  readonly host: VolumeHost;
  /** DB port per volume (config `environments[].database.port`): cloned volumes with one get served. */
  readonly ports?: Readonly<Record<string, number>>;
  /** Volumes no clone may write to: the refresh source (production). */
  readonly protectedVolumes?: readonly string[];
  readonly clock?: Clock;
  /** What a held poll waits through (poll-hold.ts). @default realSleep */
  readonly sleep?: Sleeper;
  /** How long a poll of a running operation waits for it to end. @default POLL_HOLD_MS */
  readonly pollHoldMs?: number;
}

/**
 * Snapshot label. `"true"` declares that exactly one clone will read the snapshot, so that clone
 * moves the data directories into place instead of copying them: on a disk without reflinks this
 * halves the bytes a refresh writes. The snapshot keeps its labels (for list and gc) but no data.
 */
export const SINGLE_USE_LABEL = 'single-use';

/** Written into a single-use snapshot before its data moves out, so a second clone is refused. */
interface ConsumedRecord {
  readonly clone: string;
  readonly at: string;
}

interface CloneRecord {
  readonly ref: VolumeSetRef;
  readonly labels: SnapshotLabels;
  readonly createdAt: string;
}

/**
 * Snapshots and clones of PGlite volumes as directory copies under `<dataDir>/snapshots/`. The work
 * is quick but not instant (a 1 GB copy), so starts run it in the background and the operation's
 * state is journalled to disk: a poll after a restart re-runs an interrupted operation, and every
 * step is safe to repeat.
 */
export class LocalSnapshotProvider implements SnapshotProvider {
  readonly type = 'local' as const;
  private readonly snapshotsDir: string;
  private readonly clonesDir: string;
  private readonly journal: OperationJournal;
  private readonly host: VolumeHost;
  private readonly ports: Readonly<Record<string, number>>;
  private readonly protectedVolumes: ReadonlySet<string>;
  private readonly clock: Clock;
  private readonly sleep: Sleeper;
  private readonly pollHoldMs: number | undefined;
  private readonly staging: StagingArea;

  constructor(options: LocalSnapshotProviderOptions) {
    if (!options?.dataDir || !options.host)
      throw new InvalidInputError('LocalSnapshotProvider needs dataDir and host');
    this.snapshotsDir = path.join(path.resolve(options.dataDir), 'snapshots');
    this.clonesDir = path.join(this.snapshotsDir, 'clones');
    this.journal = new OperationJournal(path.join(this.snapshotsDir, 'ops'), (record) => this.run(record));
    this.host = options.host;
    this.ports = options.ports ?? {};
    this.protectedVolumes = new Set(options.protectedVolumes ?? []);
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.pollHoldMs = options.pollHoldMs;
    this.staging = new StagingArea(path.join(this.snapshotsDir, 'staging'), this.host.threadPool);
  }

  /** Stops the private servers of staged clones (shutdown, tests); operations must be idle. */
  async close(): Promise<void> {
    await this.journal.idle();
    await this.staging.closeAll();
  }

  /** Resolves once no operation is running in this process (shutdown, tests). */
  idle(): Promise<void> {
    return this.journal.idle();
  }

  capabilities(): SnapshotCapabilities {
    return {
      consistencyGroup: true,
      inPlaceOverwrite: true,
      async: true,
      snapshotStep: 'copy',
      refreshSteps: BACKUP_FIRST_REFRESH,
      staging: true,
    };
  }

  async startSnapshot(request: StartSnapshotRequest): Promise<OperationRef> {
    const r = validateSnapshotRequest(request);
    const singleUse = r.labels[SINGLE_USE_LABEL];
    if (singleUse !== undefined && singleUse !== 'true' && singleUse !== 'false') {
      throw new InvalidInputError(`labels.${SINGLE_USE_LABEL} must be "true" or "false", got "${singleUse}"`);
    }
    const name = deriveName('snap', r.idempotencyKey);
    const resource: SnapshotRef = {
      provider: 'local',
      kind: 'snapshot',
      name,
      volumes: r.source.map((source) => ({ source, name: `${name}/${source}` })),
    };
    const operation: OperationRef = {
      provider: 'local',
      kind: 'snapshot',
      id: `snapshot-${keyHash(r.idempotencyKey)}`,
      resource,
    };
    return this.journal.begin({ operation, labels: r.labels });
  }

  async startClone(request: StartCloneRequest): Promise<OperationRef> {
    const r = validateCloneRequest(request, 'local');
    for (const t of r.targets) {
      // A restore of the source from its own checkpoint (a breaking migration undone after an
      // approver confirmed it) maps the volume onto itself; a refresh never writes to it.
      if (this.protectedVolumes.has(t.target) && !(request.restore && t.source === t.target)) {
        throw new InvalidInputError(
          `volume "${t.target}" is protected (the refresh source); a clone may not write to it`,
        );
      }
    }
    const stage = request.stage === true;
    if (stage && (r.mode !== 'overwrite' || request.restore)) {
      throw new InvalidInputError('stage is for refreshing existing volumes: mode "overwrite", no restore');
    }
    const name = deriveName('clone', r.idempotencyKey);
    const resource: VolumeSetRef = {
      provider: 'local',
      kind: 'volumes',
      name,
      mode: r.mode,
      volumes: r.targets.map((t) => ({ ...t, name: t.target })),
      ...(stage ? { staged: true } : {}),
    };
    const operation: OperationRef = {
      provider: 'local',
      kind: 'clone',
      id: `clone-${keyHash(r.idempotencyKey)}`,
      resource,
    };
    return this.journal.begin({ operation, labels: r.labels, snapshot: r.snapshot });
  }

  async startPublish(ref: VolumeSetRef): Promise<OperationRef> {
    if (ref?.provider !== 'local' || ref.kind !== 'volumes' || !Array.isArray(ref.volumes)) {
      throw new InvalidInputError('startPublish needs a VolumeSetRef returned by this local provider');
    }
    const guarded = ref.volumes.find((v) => this.protectedVolumes.has(v?.target));
    if (guarded) {
      throw new InvalidInputError(
        `volume "${guarded.target}" is protected (the refresh source); nothing is published to it`,
      );
    }
    const operation: OperationRef = {
      provider: 'local',
      kind: 'publish',
      id: `publish-${ref.name}`,
      resource: ref,
    };
    return this.journal.begin({ operation });
  }

  async scanAtRest(ref: VolumeSetRef, needles: readonly string[]): Promise<RestScan> {
    if (ref?.provider !== 'local' || ref.kind !== 'volumes' || !ref.staged) {
      throw new InvalidInputError('scanAtRest needs a staged VolumeSetRef returned by this local provider');
    }
    const scans: RestScan[] = [];
    for (const v of ref.volumes) {
      if (!this.staging.has(ref.name, v.target)) {
        throw new NotFoundError(
          `clone "${ref.name}" has no staged volume "${v.target}" (published or discarded)`,
        );
      }
      scans.push(await this.staging.sealAndScan(ref.name, v.target, needles, this.clock.now()));
    }
    return sumScans(scans);
  }

  async startDelete(ref: ResourceRef): Promise<OperationRef> {
    if (ref?.provider !== 'local' || (ref.kind !== 'snapshot' && ref.kind !== 'volumes')) {
      throw new InvalidInputError('startDelete needs a local SnapshotRef or VolumeSetRef');
    }
    if (ref.kind === 'volumes' && ref.mode === 'overwrite') {
      throw new InvalidInputError(
        `"${ref.name}" overwrote environment volumes in place; those are not deleted`,
      );
    }
    const operation: OperationRef = {
      provider: 'local',
      kind: 'delete',
      id: `delete-${ref.name}`,
      resource: ref,
    };
    return this.journal.begin({ operation });
  }

  async poll(operation: OperationRef): Promise<OperationStatus> {
    if (operation?.provider !== 'local' || typeof operation.id !== 'string') {
      throw new InvalidInputError('poll needs an OperationRef returned by this local provider');
    }
    const status = this.journal.poll(operation.id);
    if (status.state !== 'RUNNING') return status;
    await holdWhileRunning(() => this.journal.running(operation.id), this.sleep, this.pollHoldMs);
    return this.journal.poll(operation.id);
  }

  async list(selector: Readonly<Record<string, string>>): Promise<ResourceInfo[]> {
    const out: ResourceInfo[] = [];
    for (const name of readDirSafe(this.snapshotsDir).filter((n) => n.startsWith('snap-'))) {
      const manifest = readJson<{ ref: SnapshotRef }>(path.join(this.snapshotsDir, name, 'manifest.json'));
      const labels = readJson<SnapshotLabels>(path.join(this.snapshotsDir, name, 'labels.json'));
      if (manifest && labels) out.push({ ref: manifest.ref, labels, inUse: false });
    }
    for (const file of readDirSafe(this.clonesDir).filter((n) => n.endsWith('.json'))) {
      const record = readJson<CloneRecord>(path.join(this.clonesDir, file));
      if (record?.ref.mode !== 'create') continue;
      const inUse = record.ref.volumes.some((v) => this.host.isServed(v.target));
      out.push({ ref: record.ref, labels: record.labels, inUse });
    }
    return out.filter((r) => matchesSelector(r.labels, selector ?? {}));
  }

  async connection(target: VolumeSetRef | string): Promise<ConnectionInfo> {
    const name = typeof target === 'string' ? target : target?.volumes?.[0]?.target;
    if (typeof name !== 'string')
      throw new InvalidInputError('connection needs a volume name or a VolumeSetRef');
    // A published clone's data is the target volume itself; until then only this socket reaches it.
    if (typeof target !== 'string' && target.staged && this.staging.has(target.name, name)) {
      return { kind: 'url', connectionString: await this.staging.connect(target.name, name) };
    }
    return { kind: 'url', connectionString: this.host.connectionString(name) };
  }

  /** The work behind every operation; each branch is safe to run again after a crash. */
  private async run(record: OperationRecord): Promise<ResourceRef> {
    const { operation } = record;
    if (operation.kind === 'snapshot')
      return this.snapshot(operation.resource as SnapshotRef, record.labels!);
    if (operation.kind === 'clone')
      return this.clone(operation.resource as VolumeSetRef, record.snapshot!, record.labels!);
    if (operation.kind === 'publish') return this.publish(operation.resource as VolumeSetRef);
    return this.remove(operation.resource);
  }

  private async snapshot(ref: SnapshotRef, labels: SnapshotLabels): Promise<SnapshotRef> {
    const final = path.join(this.snapshotsDir, ref.name);
    const existing = readJson<SnapshotLabels>(path.join(final, 'labels.json'));
    if (existing) {
      if (!sameLabels(existing, labels)) {
        throw new ImmutableConflictError(`snapshot "${ref.name}" already exists with different labels`);
      }
      return ref;
    }
    const tmp = path.join(this.snapshotsDir, `.tmp-${ref.name}`);
    const sources = ref.volumes.map((v) => v.source);
    const manifests: Record<string, VolumeManifest> = {};
    // Synchronous inside the quiesce: no write to the sources, and no clone moving a file out of a
    // snapshot, can come between reading the gens and linking the files.
    await this.host.withQuiesced(sources, (dirs) => {
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.mkdirSync(tmp, { recursive: true });
      const locate = this.genLocator();
      const genPrefix = `${ref.name}/${randomUUID()}`;
      for (const source of sources) {
        const result = snapshotVolume({
          liveDir: dirs[source],
          manifest: this.host.filesManifest(source),
          dest: path.join(tmp, source),
          locate,
          genPrefix: `${genPrefix}/${source}`,
          finalDir: path.join(final, source),
        });
        if (!result.private) makeTreePrivate(path.join(tmp, source));
        writeJson(path.join(tmp, `${source}.files.json`), result.files, { compact: true });
        manifests[source] = result.manifest;
      }
    });
    writeJson(path.join(tmp, 'manifest.json'), { ref, createdAt: this.clock.now().toISOString() });
    writeJson(path.join(tmp, 'labels.json'), labels);
    fs.rmSync(final, { recursive: true, force: true });
    fs.renameSync(tmp, final);
    // After the snapshot exists: the gens recorded here must be findable in it.
    for (const source of sources) this.host.recordFiles(source, manifests[source]);
    return ref;
  }

  /**
   * Finds a gen in an earlier snapshot so a new snapshot links it instead of copying: first where
   * the volume's manifest says it was (the last snapshot of the volume, or the one it was filled
   * from; checked against that snapshot's own list, so a deleted and re-made snapshot of the same
   * name is never trusted), else in every finished snapshot. A file a single-use clone has since
   * moved out fails to link and is copied.
   */
  private genLocator(): GenLocator {
    const lists = new Map<string, SnapshotFiles['files'] | undefined>();
    let all: Map<string, { file: () => string; size: number }> | undefined;
    return (entry, rel) => {
      if (entry.at) {
        if (!lists.has(entry.at)) lists.set(entry.at, this.snapshotFilesAt(entry.at));
        const listed = lists.get(entry.at)?.[rel];
        if (listed?.gen === entry.gen && listed.size === entry.size) return path.join(entry.at, rel);
      }
      all ??= this.genIndex();
      const found = all.get(entry.gen);
      return found?.size === entry.size ? found.file() : undefined;
    };
  }

  /**
   * The file list of a finished snapshot's volume directory, or of the host's empty-cluster
   * template (a new volume's files point there), if `dir` is one: files there never change.
   */
  private snapshotFilesAt(dir: string): SnapshotFiles['files'] | undefined {
    if (this.host.isTemplateDir(dir)) return templateFiles(dir)?.files;
    const snapshotDir = path.dirname(dir);
    if (path.dirname(snapshotDir) !== this.snapshotsDir) return undefined;
    if (!fs.existsSync(path.join(snapshotDir, 'labels.json'))) return undefined;
    return readSnapshotFiles(`${dir}.files.json`)?.files;
  }

  /** Every file of every finished snapshot by gen. */
  private genIndex(): Map<string, { file: () => string; size: number }> {
    const index = new Map<string, { file: () => string; size: number }>();
    for (const name of readDirSafe(this.snapshotsDir).filter((n) => n.startsWith('snap-'))) {
      const dir = path.join(this.snapshotsDir, name);
      if (!fs.existsSync(path.join(dir, 'labels.json'))) continue;
      for (const entry of readDirSafe(dir).filter((n) => n.endsWith('.files.json'))) {
        const volumeDir = path.join(dir, entry.slice(0, -'.files.json'.length));
        const files = readSnapshotFiles(path.join(dir, entry))?.files ?? {};
        for (const rel in files) {
          const f = files[rel];
          index.set(f.gen, { file: () => path.join(volumeDir, rel), size: f.size });
        }
      }
    }
    return index;
  }

  private async clone(
    ref: VolumeSetRef,
    snapshot: SnapshotRef,
    labels: SnapshotLabels,
  ): Promise<VolumeSetRef> {
    const snapDir = path.join(this.snapshotsDir, snapshot.name);
    const snapLabels = readJson<SnapshotLabels>(path.join(snapDir, 'labels.json'));
    if (!snapLabels) {
      throw new NotFoundError(`snapshot "${snapshot.name}" does not exist (deleted, or never completed)`);
    }
    const recordPath = path.join(this.clonesDir, `${ref.name}.json`);
    const done = readJson<CloneRecord>(recordPath);
    if (done) {
      if (!sameLabels(done.labels, labels))
        throw new ImmutableConflictError(`clone "${ref.name}" exists with different labels`);
      return ref;
    }
    const consumedPath = path.join(snapDir, 'consumed.json');
    const consumed = readJson<ConsumedRecord>(consumedPath);
    if (consumed && consumed.clone !== ref.name) {
      throw new NotFoundError(
        `snapshot "${snapshot.name}" was single-use and clone "${consumed.clone}" already moved its data; take a new snapshot`,
      );
    }
    if (ref.mode === 'create') {
      for (const v of ref.volumes) {
        if (this.host.exists(v.target) && !this.ownedByClone(v.target, ref.name)) {
          throw new ImmutableConflictError(
            `volume "${v.target}" already exists; use mode "overwrite" to replace it`,
          );
        }
      }
    }
    const singleUse = snapLabels[SINGLE_USE_LABEL] === 'true';
    if (singleUse && !consumed) {
      writeJson(consumedPath, {
        clone: ref.name,
        at: this.clock.now().toISOString(),
      } satisfies ConsumedRecord);
    }
    for (const [i, v] of ref.volumes.entries()) {
      const from = path.join(snapDir, v.source);
      if (ref.mode === 'create') writeJson(this.ownerPath(v.target), { clone: ref.name });
      // A re-run after a crash: this clone already moved that source (or the files the target
      // needed from it) out, after every copy of it.
      const movedOut = !fs.existsSync(from) || (!ref.staged && this.host.filledFrom(v.target) === from);
      if (singleUse && movedOut) {
        if (!(ref.staged ? this.staging.has(ref.name, v.target) : this.host.exists(v.target))) {
          throw new NotFoundError(
            `snapshot "${snapshot.name}": volume "${v.source}" left the snapshot but is not in "${v.target}"`,
          );
        }
      } else {
        // Only the last target reading a source may take it; earlier ones copy it first.
        const lastUse = !ref.volumes.slice(i + 1).some((w) => w.source === v.source);
        const fill = singleUse && lastUse ? FillMode.Move : FillMode.Copy;
        if (ref.staged) await this.staging.prepare(ref.name, v.target, from, fill === FillMode.Move);
        else {
          const files = readSnapshotFiles(path.join(snapDir, `${v.source}.files.json`));
          await this.host.replace(v.target, from, fill, files);
        }
      }
      if (ref.staged) continue;
      const port = this.ports[v.target];
      if (port !== undefined && !this.host.isServed(v.target)) await this.host.open(v.target, port);
    }
    writeJson(recordPath, { ref, labels, createdAt: this.clock.now().toISOString() } satisfies CloneRecord);
    return ref;
  }

  /**
   * Swaps each staged volume into place (the environment's old data goes, in one rename) and serves
   * it on its port. Safe to re-run: a volume already moved out of staging is only served.
   */
  private async publish(ref: VolumeSetRef): Promise<VolumeSetRef> {
    if (!ref.staged) return ref;
    for (const v of ref.volumes) {
      if (this.staging.has(ref.name, v.target)) {
        await this.host.replace(v.target, await this.staging.take(ref.name, v.target), FillMode.Move);
      }
      const port = this.ports[v.target];
      if (port !== undefined && !this.host.isServed(v.target)) await this.host.open(v.target, port);
    }
    await this.staging.discard(ref.name);
    return ref;
  }

  private async remove(ref: ResourceRef): Promise<ResourceRef> {
    this.sweepTrash();
    if (ref.kind === 'snapshot') {
      const trash = path.join(this.snapshotsDir, `.trash-${ref.name}`);
      const dir = path.join(this.snapshotsDir, ref.name);
      if (fs.existsSync(dir)) fs.renameSync(dir, trash);
      fs.rmSync(trash, { recursive: true, force: true });
      return ref;
    }
    for (const v of ref.volumes) {
      if (!this.ownedByClone(v.target, ref.name)) continue;
      await this.host.close(v.target);
      this.host.remove(v.target);
      fs.rmSync(this.ownerPath(v.target), { force: true });
    }
    fs.rmSync(path.join(this.clonesDir, `${ref.name}.json`), { force: true });
    return ref;
  }

  /**
   * A delete renames the snapshot to `.trash-<name>` and then removes it; a crash in between (or a
   * remove that failed on a full disk) left the trash behind, holding its full size. Every delete
   * (gc) clears what earlier ones left.
   */
  private sweepTrash(): void {
    if (!fs.existsSync(this.snapshotsDir)) return;
    for (const entry of fs.readdirSync(this.snapshotsDir)) {
      if (entry.startsWith('.trash-'))
        fs.rmSync(path.join(this.snapshotsDir, entry), { recursive: true, force: true });
    }
  }

  /** Which clone created a volume, so a delete never removes a volume some other run made. */
  private ownerPath(volume: string): string {
    return path.join(this.clonesDir, 'owners', `${volume}.json`);
  }

  private ownedByClone(volume: string, clone: string): boolean {
    return readJson<{ clone: string }>(this.ownerPath(volume))?.clone === clone;
  }
}

function readDirSafe(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
