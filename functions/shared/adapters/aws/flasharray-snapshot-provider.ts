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
import { inPlacePublish, unreachableScan } from '../../snapshots/in-place-publish.js';
import { matchesSelector, sameLabels } from '../../snapshots/labels.js';
import { BACKUP_FIRST_REFRESH } from '../../snapshots/refresh-steps.js';
import { deriveName } from '../../snapshots/resource-names.js';
import { validateCloneRequest, validateSnapshotRequest } from '../../snapshots/validate-request.js';
import { type FlashArrayClient, FlashArrayError } from './flasharray-client.js';

/** Labels live in this tag namespace; bookkeeping (which snapshot/clone, which source) in the next. */
const LABELS_NS = 'tollgate';
const REF_NS = 'tollgate-ref';

interface Tag {
  readonly namespace: string;
  readonly key: string;
  readonly value: string;
  readonly resource?: { readonly name: string };
}

interface NamedItem {
  readonly name: string;
  readonly destroyed?: boolean;
}

export interface FlashArraySnapshotProviderOptions {
  readonly client: FlashArrayClient;
  /** Snapshot this protection group instead of single volumes, so all its volumes share one instant. */
  readonly protectionGroup?: string;
  /** Where each environment volume's database is reached (its connection secret). */
  readonly connections?: Readonly<Record<string, { secretArn: string; host?: string; port?: number }>>;
  /** Volumes no clone may overwrite: the refresh source. */
  readonly protectedVolumes?: readonly string[];
}

/**
 * Pure Storage FlashArray / Cloud Block Store through REST 2.x. Snapshots and volume copies are
 * metadata operations on the array and complete within the request, so starts do the work and
 * polls only confirm it. Names derive from the idempotency key: snapshot suffix `tg-<hash>`.
 *
 * A name held by an object that was destroyed but not yet eradicated (Purity keeps it 24h for
 * recovery) is eradicated and the create retried. Recovering it instead would resurrect stale data
 * under a name that must now hold a fresh copy; the name is ours because it derives from our key.
 */
export class FlashArraySnapshotProvider implements SnapshotProvider {
  readonly type = 'flasharray' as const;
  private readonly client: FlashArrayClient;
  private readonly pgroup: string | undefined;
  private readonly protectedVolumes: ReadonlySet<string>;

  constructor(private readonly options: FlashArraySnapshotProviderOptions) {
    if (!options?.client) throw new InvalidInputError('FlashArraySnapshotProvider needs a FlashArrayClient');
    this.client = options.client;
    this.pgroup = options.protectionGroup;
    this.protectedVolumes = new Set(options.protectedVolumes ?? []);
  }

  capabilities(): SnapshotCapabilities {
    return {
      consistencyGroup: this.pgroup !== undefined,
      inPlaceOverwrite: true,
      async: false,
      snapshotStep: 'copy',
      refreshSteps: BACKUP_FIRST_REFRESH,
      staging: false,
    };
  }

  async startSnapshot(request: StartSnapshotRequest): Promise<OperationRef> {
    const r = validateSnapshotRequest(request);
    const suffix = deriveName('tg', r.idempotencyKey);
    const resource: SnapshotRef = {
      provider: 'flasharray',
      kind: 'snapshot',
      name: this.pgroup ? `${this.pgroup}.${suffix}` : suffix,
      volumes: r.source.map((source) => ({
        source,
        name: this.pgroup ? `${this.pgroup}.${suffix}.${source}` : `${source}.${suffix}`,
      })),
    };
    if (this.pgroup) await this.checkMembers(r.source);
    const names = resource.volumes.map((v) => v.name);
    const existing = await this.liveSnapshots(names);
    if (existing.length === 0) {
      await this.createSnapshot(r.source, suffix, names);
    } else if (existing.length !== names.length) {
      throw new ImmutableConflictError(
        `snapshot "${resource.name}" exists for only some volumes; delete it and retry`,
      );
    }
    await this.applyLabels('/volume-snapshots', resource.volumes, r.labels, resource.name);
    return { provider: 'flasharray', kind: 'snapshot', id: suffix, resource };
  }

  async startClone(request: StartCloneRequest): Promise<OperationRef> {
    const r = validateCloneRequest(request, 'flasharray');
    for (const t of r.targets) {
      if (this.protectedVolumes.has(t.target)) {
        throw new InvalidInputError(
          `volume "${t.target}" is protected (the refresh source); a clone may not write to it`,
        );
      }
    }
    const name = deriveName('clone', r.idempotencyKey);
    const byName = new Map(r.snapshot.volumes.map((v) => [v.source, v.name]));
    const resource: VolumeSetRef = {
      provider: 'flasharray',
      kind: 'volumes',
      name,
      mode: r.mode,
      volumes: r.targets.map((t) => ({ ...t, name: t.target })),
    };
    for (const t of r.targets) {
      await this.copyVolume(t.target, byName.get(t.source)!, r.mode, r.labels);
    }
    // Overwritten volumes belong to their environment, not to this run: no ttl goes on them.
    if (r.mode === 'create') await this.applyLabels('/volumes', resource.volumes, r.labels, name);
    return { provider: 'flasharray', kind: 'clone', id: name, resource };
  }

  async startDelete(ref: ResourceRef): Promise<OperationRef> {
    if (ref?.provider !== 'flasharray')
      throw new InvalidInputError('startDelete needs a flasharray SnapshotRef or VolumeSetRef');
    if (ref.kind === 'volumes' && ref.mode === 'overwrite') {
      throw new InvalidInputError(
        `"${ref.name}" overwrote environment volumes in place; those are not deleted`,
      );
    }
    if (ref.kind === 'snapshot' && this.pgroup && ref.name.startsWith(`${this.pgroup}.`)) {
      await this.destroyAndEradicate('/protection-group-snapshots', [ref.name]);
    } else if (ref.kind === 'snapshot') {
      await this.destroyAndEradicate(
        '/volume-snapshots',
        ref.volumes.map((v) => v.name),
      );
    } else {
      await this.destroyAndEradicate(
        '/volumes',
        ref.volumes.map((v) => v.name),
      );
    }
    return { provider: 'flasharray', kind: 'delete', id: `delete-${ref.name}`, resource: ref };
  }

  async startPublish(ref: VolumeSetRef): Promise<OperationRef> {
    return inPlacePublish('flasharray', ref);
  }

  async scanAtRest(_ref: VolumeSetRef, _needles: readonly string[]): Promise<RestScan> {
    return unreachableScan(
      'FlashArray volumes are block devices behind the array, not files this task can read; mask-data rewrites every masked table (VACUUM FULL) and its statistics, so no original value is left in any live or dead row, index or TOAST page; WAL and freed blocks on the volume are not covered',
    );
  }

  async poll(operation: OperationRef): Promise<OperationStatus> {
    if (operation?.provider !== 'flasharray' || !operation.resource) {
      throw new InvalidInputError('poll needs an OperationRef returned by this flasharray provider');
    }
    const ref = operation.resource;
    if (operation.kind === 'publish') return { state: 'SUCCEEDED', ref };
    const path = ref.kind === 'snapshot' ? '/volume-snapshots' : '/volumes';
    const names = ref.volumes.map((v) => v.name);
    const found = await this.client.list<NamedItem>(path, { names, destroyed: false }).catch(notFoundAsEmpty);
    if (operation.kind === 'delete') {
      return found.length === 0 ? { state: 'SUCCEEDED', ref } : { state: 'RUNNING' };
    }
    if (found.length === names.length) return { state: 'SUCCEEDED', ref };
    const missing = names.filter((n) => !found.some((f) => f.name === n));
    return {
      state: 'FAILED',
      reason: `FlashArray has no live ${missing.join(', ')}; it was destroyed after it was made`,
    };
  }

  async list(selector: Readonly<Record<string, string>>): Promise<ResourceInfo[]> {
    const out: ResourceInfo[] = [];
    for (const path of ['/volume-snapshots', '/volumes'] as const) {
      const tags = await this.client.list<Tag>(`${path}/tags`, {
        namespaces: [LABELS_NS, REF_NS],
        resource_destroyed: false,
      });
      const byResource = new Map<string, { labels: Record<string, string>; ref: Record<string, string> }>();
      for (const tag of tags) {
        const name = tag.resource?.name;
        if (!name) continue;
        const entry = byResource.get(name) ?? { labels: {}, ref: {} };
        (tag.namespace === LABELS_NS ? entry.labels : entry.ref)[tag.key] = tag.value;
        byResource.set(name, entry);
      }
      const groups = new Map<
        string,
        { labels: Record<string, string>; volumes: Array<{ source: string; name: string }> }
      >();
      for (const [name, entry] of byResource) {
        const group = entry.ref.group;
        if (!group || !entry.ref.source) continue;
        const g = groups.get(group) ?? { labels: entry.labels, volumes: [] };
        g.volumes.push({ source: entry.ref.source, name });
        groups.set(group, g);
      }
      for (const [group, g] of groups) {
        const ref: ResourceRef =
          path === '/volume-snapshots'
            ? { provider: 'flasharray', kind: 'snapshot', name: group, volumes: g.volumes }
            : {
                provider: 'flasharray',
                kind: 'volumes',
                name: group,
                mode: 'create',
                volumes: g.volumes.map((v) => ({ source: v.source, target: v.name, name: v.name })),
              };
        out.push({ ref, labels: g.labels, inUse: false });
      }
    }
    return out.filter((r) => matchesSelector(r.labels, selector ?? {}));
  }

  async connection(target: VolumeSetRef | string): Promise<ConnectionInfo> {
    const name = typeof target === 'string' ? target : target?.volumes?.[0]?.target;
    const conn = name === undefined ? undefined : this.options.connections?.[name];
    if (!conn)
      throw new NotFoundError(`no connection secret configured for FlashArray volume "${String(name)}"`);
    return { kind: 'secret', ...conn };
  }

  private async checkMembers(sources: readonly string[]): Promise<void> {
    const members = await this.client.list<{ member: { name: string } }>('/protection-groups/volumes', {
      group_names: [this.pgroup!],
    });
    const names = new Set(members.map((m) => m.member.name));
    const outside = sources.filter((s) => !names.has(s));
    if (outside.length > 0) {
      throw new InvalidInputError(
        `volume(s) ${outside.join(', ')} are not in protection group "${this.pgroup}"`,
      );
    }
  }

  private async liveSnapshots(names: readonly string[]): Promise<NamedItem[]> {
    return this.client
      .list<NamedItem>('/volume-snapshots', { names, destroyed: false })
      .catch(notFoundAsEmpty);
  }

  private async createSnapshot(
    sources: readonly string[],
    suffix: string,
    names: readonly string[],
  ): Promise<void> {
    const create = () =>
      this.pgroup
        ? this.client.request(
            'POST',
            '/protection-group-snapshots',
            { source_names: [this.pgroup] },
            { suffix },
          )
        : this.client.request('POST', '/volume-snapshots', { source_names: sources }, { suffix });
    try {
      await create();
    } catch (error) {
      if (!(error instanceof FlashArrayError) || error.status !== 400) throw error;
      const blocked = this.pgroup ? [`${this.pgroup}.${suffix}`] : names;
      const path = this.pgroup ? '/protection-group-snapshots' : '/volume-snapshots';
      if (!(await this.eradicatePending(path, blocked))) throw error;
      await create();
    }
  }

  private async copyVolume(
    target: string,
    snapshot: string,
    mode: 'create' | 'overwrite',
    labels: SnapshotLabels,
  ) {
    const copy = () =>
      this.client.request(
        'POST',
        '/volumes',
        { names: [target], overwrite: mode === 'overwrite' ? true : undefined },
        { source: { name: snapshot } },
      );
    try {
      await copy();
    } catch (error) {
      if (!(error instanceof FlashArrayError) || error.status !== 400) throw error;
      if (await this.eradicatePending('/volumes', [target])) {
        await copy();
        return;
      }
      if (mode === 'create' && (await this.labelsOf('/volumes', target)) !== undefined) {
        // Our earlier attempt made it: the name derives from our target and the labels must match.
        if (sameLabels((await this.labelsOf('/volumes', target))!, labels)) return;
        throw new ImmutableConflictError(`volume "${target}" already exists with different labels`);
      }
      throw error;
    }
  }

  /** Eradicates the named objects that are destroyed-pending; true when it removed any. */
  private async eradicatePending(path: string, names: readonly string[]): Promise<boolean> {
    const pending = await this.client
      .list<NamedItem>(path, { names, destroyed: true })
      .catch(notFoundAsEmpty);
    if (pending.length === 0) return false;
    await this.client.request('DELETE', path, { names: pending.map((p) => p.name) });
    return true;
  }

  private async destroyAndEradicate(path: string, names: readonly string[]): Promise<void> {
    const live = await this.client.list<NamedItem>(path, { names, destroyed: false }).catch(notFoundAsEmpty);
    if (live.length > 0)
      await this.client.request('PATCH', path, { names: live.map((l) => l.name) }, { destroyed: true });
    await this.eradicatePending(path, names);
  }

  private async labelsOf(path: string, name: string): Promise<Record<string, string> | undefined> {
    const tags = await this.client.list<Tag>(`${path}/tags`, {
      resource_names: [name],
      namespaces: [LABELS_NS],
    });
    if (tags.length === 0) return undefined;
    return Object.fromEntries(tags.map((t) => [t.key, t.value]));
  }

  private async applyLabels(
    path: '/volumes' | '/volume-snapshots',
    volumes: ReadonlyArray<{ source: string; name: string }>,
    labels: SnapshotLabels,
    group: string,
  ): Promise<void> {
    for (const v of volumes) {
      const current = await this.labelsOf(path, v.name);
      if (current && !sameLabels(current, labels)) {
        throw new ImmutableConflictError(`"${v.name}" already exists with different labels`);
      }
      if (current) continue;
      const tags = [
        ...Object.entries(labels).map(([key, value]) => ({
          namespace: LABELS_NS,
          key,
          value,
          copyable: false,
        })),
        { namespace: REF_NS, key: 'group', value: group, copyable: false },
        { namespace: REF_NS, key: 'source', value: v.source, copyable: false },
      ];
      await this.client.request('PUT', `${path}/tags/batch`, { resource_names: [v.name] }, tags);
    }
  }
}

/** Purity answers a GET by name for an absent object with 400 rather than an empty list. */
function notFoundAsEmpty(error: unknown): never[] {
  if (error instanceof FlashArrayError && error.status === 400) return [];
  throw error;
}
