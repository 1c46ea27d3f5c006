import { createHash } from 'node:crypto';
import {
  CreateDBInstanceCommand,
  type DBCluster,
  type RDSClient,
  RestoreDBClusterToPointInTimeCommand,
  type Tag,
} from '@aws-sdk/client-rds';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
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
import { keyHash } from '../../snapshots/resource-names.js';
import { validateCloneRequest, validateSnapshotRequest } from '../../snapshots/validate-request.js';
import { AuroraClusters, tolerate } from './aurora-clusters.js';

const LABEL_PREFIX = 'tollgate:';
const TARGET_TAG = 'tollgate-ref:target';
const MODE_TAG = 'tollgate-ref:mode';
/** On an overwrite clone: the cluster its environment served from before it (the refresh's backup). */
const PREVIOUS_TAG = 'tollgate-ref:previous';
/** Cluster states from which a clone will not become available on its own. */
const DEAD = new Set([
  'failed',
  'inaccessible-encryption-credentials',
  'incompatible-parameters',
  'incompatible-restore',
]);

export interface AuroraCloneSnapshotProviderOptions {
  readonly rds: RDSClient;
  readonly secrets: SecretsManagerClient;
  /** The production cluster every clone is made from. */
  readonly sourceClusterId: string;
  readonly instanceClass: string;
  /** Secrets Manager id of each environment's connection secret (JSON with host, port, username, password). */
  readonly connectionSecrets: Readonly<Record<string, string>>;
  /**
   * The volume name the pipeline gives production when environments map no volumes of their own
   * (`database.source`, an environment name); snapshots accept it for the source cluster.
   */
  readonly sourceVolume?: string;
}

interface SecretDoc {
  host?: string;
  port?: number;
  dbClusterIdentifier?: string;
  [key: string]: unknown;
}

/**
 * Aurora copy-on-write clones. There is no separate snapshot: the clone *is* the point-in-time copy,
 * taken from the live source at clone time, so startSnapshot only records a marker. An `overwrite`
 * clone replaces the environment's database by pointing its connection secret at the new cluster;
 * Aurora cannot overwrite a cluster in place. The cluster served before is the refresh's backup (no
 * `backup-target` step: a snapshot of it would cost a full copy): it is kept, tagged on the new
 * clone, returned as `backup`, and a restore points the secret back at it. Older clones go.
 */
export class AuroraCloneSnapshotProvider implements SnapshotProvider {
  readonly type = 'aurora-clone' as const;

  private readonly clusters: AuroraClusters;

  constructor(private readonly options: AuroraCloneSnapshotProviderOptions) {
    if (!options?.rds || !options.secrets || !options.sourceClusterId || !options.instanceClass) {
      throw new InvalidInputError(
        'AuroraCloneSnapshotProvider needs rds, secrets, sourceClusterId and instanceClass',
      );
    }
    this.clusters = new AuroraClusters(options.rds);
  }

  capabilities(): SnapshotCapabilities {
    return {
      consistencyGroup: true,
      inPlaceOverwrite: false,
      async: true,
      snapshotStep: 'marker',
      staging: false,
      refreshSteps: ['snapshot-source', 'clone', 'publish'],
    };
  }

  async startSnapshot(request: StartSnapshotRequest): Promise<OperationRef> {
    const r = validateSnapshotRequest(request);
    const { sourceClusterId, sourceVolume } = this.options;
    const names = [sourceClusterId, ...(sourceVolume ? [sourceVolume] : [])];
    if (r.source.length !== 1 || !names.includes(r.source[0])) {
      throw new InvalidInputError(
        `source must be exactly ["${sourceClusterId}"] (the configured source cluster${sourceVolume ? `, or its volume name "${sourceVolume}"` : ''})`,
      );
    }
    await this.clusters.describeCluster(sourceClusterId).then((c) => {
      if (!c) throw new NotFoundError(`source cluster "${sourceClusterId}" does not exist`);
    });
    const name = `mark-${keyHash(r.idempotencyKey)}`;
    // The volume keeps the name the caller used; its `name` is the cluster a clone is made from.
    const resource: SnapshotRef = {
      provider: 'aurora-clone',
      kind: 'snapshot',
      name,
      volumes: [{ source: r.source[0], name: sourceClusterId }],
    };
    return { provider: 'aurora-clone', kind: 'snapshot', id: name, resource };
  }

  async startClone(request: StartCloneRequest): Promise<OperationRef> {
    const r = validateCloneRequest(request, 'aurora-clone');
    if (r.targets.length !== 1)
      throw new InvalidInputError('aurora-clone makes one cluster per environment: give exactly one target');
    const { source, target } = r.targets[0];
    if (r.mode === 'overwrite' && !this.options.connectionSecrets[target]) {
      throw new InvalidInputError(
        `no connection secret configured for environment "${target}"; overwrite switches it`,
      );
    }
    const from = r.snapshot.volumes.find((v) => v.source === source)!.name;
    if (request.restore === true) return this.startRestore(target, from);
    if (from !== this.options.sourceClusterId) {
      throw new InvalidInputError(
        `snapshot "${r.snapshot.name}" is not of the source cluster "${this.options.sourceClusterId}"`,
      );
    }
    // RDS identifiers: letters, digits, hyphens, at most 63 chars, no double hyphen.
    const id = `tg-${target.toLowerCase().replace(/_/g, '-').replace(/-+/g, '-').slice(0, 40)}-${keyHash(r.idempotencyKey)}`;
    const sourceCluster = await this.clusters.describeCluster(from);
    if (!sourceCluster) throw new NotFoundError(`source cluster "${from}" does not exist`);
    const existing = await this.clusters.describeCluster(id);
    if (existing) {
      if (!sameLabels(labelsOf(existing.TagList), r.labels)) {
        throw new ImmutableConflictError(`cluster "${id}" already exists with different labels`);
      }
    } else {
      // Read before anything changes: what the environment serves from now is what a failed run
      // puts back, and it is recorded on the clone so a repeated poll finds the same answer.
      const previous = r.mode === 'overwrite' ? await this.servingCluster(target) : undefined;
      await this.options.rds.send(
        new RestoreDBClusterToPointInTimeCommand({
          DBClusterIdentifier: id,
          SourceDBClusterIdentifier: from,
          RestoreType: 'copy-on-write',
          UseLatestRestorableTime: true,
          // A restore otherwise lands in the default VPC's subnet group, away from the app.
          DBSubnetGroupName: sourceCluster.DBSubnetGroup,
          VpcSecurityGroupIds: sourceCluster.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId!).filter(
            Boolean,
          ),
          Tags: [
            ...Object.entries(r.labels).map(([k, v]) => ({ Key: `${LABEL_PREFIX}${k}`, Value: v })),
            { Key: TARGET_TAG, Value: target },
            { Key: MODE_TAG, Value: r.mode },
            ...(previous ? [{ Key: PREVIOUS_TAG, Value: previous }] : []),
          ],
        }),
      );
    }
    const resource: VolumeSetRef = {
      provider: 'aurora-clone',
      kind: 'volumes',
      name: id,
      mode: r.mode,
      volumes: [{ source: from, target, name: id }],
    };
    return { provider: 'aurora-clone', kind: 'clone', id, resource };
  }

  /**
   * A restore makes nothing: the cluster the environment served from before the refresh still
   * exists (the refresh kept it), so its poll points the secret back at it once it is available.
   */
  private async startRestore(target: string, clusterId: string): Promise<OperationRef> {
    if (!(await this.clusters.describeCluster(clusterId)))
      throw new NotFoundError(`cluster "${clusterId}" to restore "${target}" from no longer exists`);
    // Source and target are the environment itself: that is how poll tells a restore from a clone.
    const resource: VolumeSetRef = {
      provider: 'aurora-clone',
      kind: 'volumes',
      name: clusterId,
      mode: 'overwrite',
      volumes: [{ source: target, target, name: clusterId }],
    };
    return { provider: 'aurora-clone', kind: 'clone', id: `restore-${clusterId}`, resource };
  }

  async startPublish(ref: VolumeSetRef): Promise<OperationRef> {
    return inPlacePublish('aurora-clone', ref);
  }

  async scanAtRest(_ref: VolumeSetRef, _needles: readonly string[]): Promise<RestScan> {
    return unreachableScan(
      "Aurora's storage layer is not reachable as files; mask-data rewrites every masked table (VACUUM FULL) and its statistics, so no original value is left in any live or dead row, index or TOAST page the database can read",
    );
  }

  async poll(operation: OperationRef): Promise<OperationStatus> {
    if (operation?.provider !== 'aurora-clone' || !operation.resource) {
      throw new InvalidInputError('poll needs an OperationRef returned by this aurora-clone provider');
    }
    const ref = operation.resource;
    if (operation.kind === 'publish') return { state: 'SUCCEEDED', ref };
    if (ref.kind === 'snapshot') return { state: 'SUCCEEDED', ref };
    const cluster = await this.clusters.describeCluster(ref.name);
    if (operation.kind === 'delete') return cluster ? { state: 'RUNNING' } : { state: 'SUCCEEDED', ref };
    if (!cluster) return { state: 'FAILED', reason: `cluster "${ref.name}" no longer exists` };
    if (DEAD.has(cluster.Status ?? ''))
      return { state: 'FAILED', reason: `cluster "${ref.name}" is ${cluster.Status}` };
    if (cluster.Status !== 'available') return { state: 'RUNNING' };
    const volume = ref.kind === 'volumes' ? ref.volumes[0] : undefined;
    if (volume && volume.source === volume.target) {
      // A restore: the cluster served until the refresh, so it has its instances already.
      await this.switchTo(volume.target, cluster);
      return { state: 'SUCCEEDED', ref };
    }
    const instanceId = `${ref.name}-1`;
    const instance = await this.clusters.describeInstance(instanceId);
    if (!instance) {
      await tolerate(
        () =>
          this.options.rds.send(
            new CreateDBInstanceCommand({
              DBInstanceIdentifier: instanceId,
              DBClusterIdentifier: ref.name,
              Engine: cluster.Engine,
              DBInstanceClass: this.options.instanceClass,
            }),
          ),
        'DBInstanceAlreadyExistsFault',
      );
      return { state: 'RUNNING' };
    }
    if (DEAD.has(instance.DBInstanceStatus ?? ''))
      return { state: 'FAILED', reason: `instance "${instanceId}" is ${instance.DBInstanceStatus}` };
    if (instance.DBInstanceStatus !== 'available') return { state: 'RUNNING' };
    if (ref.kind !== 'volumes' || ref.mode !== 'overwrite') return { state: 'SUCCEEDED', ref };
    const env = ref.volumes[0].target;
    const previous = cluster.TagList?.find((t) => t.Key === PREVIOUS_TAG)?.Value;
    await this.switchTo(env, cluster, previous);
    const backup: SnapshotRef | undefined = previous
      ? {
          provider: 'aurora-clone',
          kind: 'snapshot',
          name: previous,
          volumes: [{ source: env, name: previous }],
        }
      : undefined;
    return { state: 'SUCCEEDED', ref, ...(backup ? { backup } : {}) };
  }

  async startDelete(ref: ResourceRef): Promise<OperationRef> {
    if (ref?.provider !== 'aurora-clone')
      throw new InvalidInputError('startDelete needs an aurora-clone SnapshotRef or VolumeSetRef');
    const operation: OperationRef = {
      provider: 'aurora-clone',
      kind: 'delete',
      id: `delete-${ref.name}`,
      resource: ref,
    };
    if (ref.kind === 'snapshot') return operation; // a marker owns nothing
    if (ref.name === this.options.sourceClusterId || !ref.name.startsWith('tg-')) {
      throw new InvalidInputError(`"${ref.name}" is not a Tollgate clone; refusing to delete it`);
    }
    const target = ref.volumes[0]?.target;
    if (target && (await this.secretDoc(target))?.dbClusterIdentifier === ref.name) {
      throw new InvalidInputError(
        `cluster "${ref.name}" is what environment "${target}" serves from; refresh it first`,
      );
    }
    await this.clusters.deleteCluster(ref.name);
    return operation;
  }

  async list(selector: Readonly<Record<string, string>>): Promise<ResourceInfo[]> {
    const out: ResourceInfo[] = [];
    for await (const c of this.clusters.all()) {
      const tags = c.TagList ?? [];
      const target = tags.find((t) => t.Key === TARGET_TAG)?.Value;
      if (!target || c.Status === 'deleting' || !c.DBClusterIdentifier) continue;
      const mode = tags.find((t) => t.Key === MODE_TAG)?.Value === 'overwrite' ? 'overwrite' : 'create';
      const labels = labelsOf(tags);
      if (!matchesSelector(labels, selector ?? {})) continue;
      const inUse =
        mode === 'overwrite' && (await this.secretDoc(target))?.dbClusterIdentifier === c.DBClusterIdentifier;
      const id = c.DBClusterIdentifier;
      out.push({
        ref: {
          provider: 'aurora-clone',
          kind: 'volumes',
          name: id,
          mode,
          volumes: [{ source: this.options.sourceClusterId, target, name: id }],
        },
        labels,
        inUse,
      });
    }
    return out;
  }

  async connection(target: VolumeSetRef | string): Promise<ConnectionInfo> {
    const env = typeof target === 'string' ? target : target?.volumes?.[0]?.target;
    const secretArn = env === undefined ? undefined : this.options.connectionSecrets[env];
    if (!secretArn)
      throw new NotFoundError(`no connection secret configured for environment "${String(env)}"`);
    if (typeof target === 'string' || target.mode === 'overwrite') return { kind: 'secret', secretArn };
    const cluster = await this.clusters.describeCluster(target.name);
    if (!cluster) throw new NotFoundError(`cluster "${target.name}" does not exist`);
    return { kind: 'secret', secretArn, host: cluster.Endpoint, port: cluster.Port };
  }

  /**
   * The cluster an environment serves from: its secret's `dbClusterIdentifier` (RDS-managed secrets
   * carry it), else the cluster whose endpoint is the secret's host. Without one, a refresh could
   * not be undone, so it does not start.
   */
  private async servingCluster(env: string): Promise<string> {
    const doc = (await this.secretDoc(env)) ?? {};
    if (doc.dbClusterIdentifier) return doc.dbClusterIdentifier;
    for await (const c of this.clusters.all()) {
      if (doc.host && c.Endpoint === doc.host && c.DBClusterIdentifier) return c.DBClusterIdentifier;
    }
    throw new InvalidInputError(
      `the connection secret of "${env}" names no cluster (no dbClusterIdentifier, and host "${String(doc.host)}" is no cluster's endpoint); a refresh of it could not be undone`,
    );
  }

  /**
   * Points the environment's secret at `cluster`, then deletes the Tollgate clones it served from
   * before, except `keep` (the backup of the refresh in flight). Credentials stay: a copy-on-write
   * clone keeps the source's master user and password.
   */
  private async switchTo(env: string, cluster: DBCluster, keep?: string): Promise<void> {
    const secretId = this.options.connectionSecrets[env];
    const doc = (await this.secretDoc(env)) ?? {};
    if (doc.dbClusterIdentifier !== cluster.DBClusterIdentifier) {
      const next: SecretDoc = {
        ...doc,
        host: cluster.Endpoint,
        port: cluster.Port,
        dbClusterIdentifier: cluster.DBClusterIdentifier,
      };
      await this.options.secrets.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          SecretString: JSON.stringify(next),
          // Derived from the switch (from → to), so a poll repeated after a crash writes no second
          // version, while a restore back to an earlier cluster is a new switch, not an ignored replay.
          ClientRequestToken: createHash('sha256')
            .update(`switch:${doc.dbClusterIdentifier ?? doc.host ?? ''}>${cluster.DBClusterIdentifier}`)
            .digest('hex')
            .slice(0, 64),
        }),
      );
    }
    for (const old of await this.list({})) {
      const ref = old.ref as VolumeSetRef;
      if (
        ref.mode === 'overwrite' &&
        ref.volumes[0].target === env &&
        ref.name !== cluster.DBClusterIdentifier &&
        ref.name !== keep
      ) {
        await this.clusters.deleteCluster(ref.name);
      }
    }
  }

  private async secretDoc(env: string): Promise<SecretDoc | undefined> {
    const secretId = this.options.connectionSecrets[env];
    if (!secretId) return undefined;
    const out = await this.options.secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    return out.SecretString ? (JSON.parse(out.SecretString) as SecretDoc) : undefined;
  }
}

function labelsOf(tags: Tag[] | undefined): SnapshotLabels {
  return Object.fromEntries(
    (tags ?? [])
      .filter((t) => t.Key?.startsWith(LABEL_PREFIX))
      .map((t) => [t.Key!.slice(LABEL_PREFIX.length), t.Value ?? '']),
  ) as unknown as SnapshotLabels;
}
