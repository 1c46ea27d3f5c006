/**
 * Storage snapshots of environment databases (PGlite data directories locally, Pure FlashArray /
 * Cloud Block Store volumes or Aurora copy-on-write clones on AWS).
 *
 * Start/poll model: no call blocks until the storage work is done, because a Lambda must not wait
 * on storage; the ASL runs start → Wait → poll → Choice with an attempt bound. Every start carries an
 * idempotency key (execution ARN + state name); the names of the resources it creates are derived
 * from that key, so a re-invoked task finds the resource it already made, and "already exists with
 * the same labels" is a success.
 */

/**
 * Labels go on everything a run creates. `pipeline`, `run` (the execution ARN) and `ttl` (ISO 8601
 * instant after which `gc` may delete it) are required; other keys are free.
 */
export interface SnapshotLabels {
  readonly pipeline: string;
  readonly run: string;
  readonly ttl: string;
  readonly [key: string]: string;
}

export type ProviderType = 'local' | 'flasharray' | 'aurora-clone';

/** A point-in-time copy of one or more source volumes, taken together. */
export interface SnapshotRef {
  readonly provider: ProviderType;
  readonly kind: 'snapshot';
  /** Provider-side name, derived from the idempotency key. */
  readonly name: string;
  /** One entry per source volume: the volume and the provider's name for its copy inside the snapshot. */
  readonly volumes: ReadonlyArray<{ readonly source: string; readonly name: string }>;
}

/** Volumes written by a clone: new volumes (`create`) or existing ones replaced in place (`overwrite`). */
export interface VolumeSetRef {
  readonly provider: ProviderType;
  readonly kind: 'volumes';
  readonly name: string;
  readonly mode: CloneMode;
  readonly volumes: ReadonlyArray<{
    readonly source: string;
    readonly target: string;
    readonly name: string;
  }>;
  /**
   * The clone was prepared where nothing can connect to it (see `StartCloneRequest.stage`); the
   * targets keep their old data until `startPublish`.
   */
  readonly staged?: boolean;
}

export type ResourceRef = SnapshotRef | VolumeSetRef;

export type CloneMode = 'create' | 'overwrite';

type OperationKind = 'snapshot' | 'clone' | 'publish' | 'delete';

/** What a start returns and poll takes. Plain JSON so it can travel through the state machine. */
export interface OperationRef {
  readonly provider: ProviderType;
  readonly kind: OperationKind;
  /** Provider-side operation id, derived from the idempotency key. */
  readonly id: string;
  /** The resource the operation produces or removes. */
  readonly resource: ResourceRef;
}

export type OperationState = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface OperationStatus {
  readonly state: OperationState;
  /** Set once SUCCEEDED (for deletes, the resource that is gone). */
  readonly ref?: ResourceRef;
  /**
   * Set once an overwrite clone SUCCEEDED, by providers whose refresh has no `backup-target` step
   * because the clone keeps what it replaced (Aurora: the cluster the environment served from).
   * A restore clone from it puts the environment's previous data back.
   */
  readonly backup?: SnapshotRef;
  /** Set when FAILED: one line a person can act on. */
  readonly reason?: string;
}

export interface StartSnapshotRequest {
  readonly idempotencyKey: string;
  /** Volume names to snapshot together (locally: environment names). */
  readonly source: readonly string[];
  readonly labels: SnapshotLabels;
}

export interface StartCloneRequest {
  readonly idempotencyKey: string;
  readonly snapshot: SnapshotRef;
  /** `source` names a volume inside the snapshot; `target` is the volume to create or overwrite. */
  readonly targets: ReadonlyArray<{ readonly source: string; readonly target: string }>;
  readonly mode: CloneMode;
  readonly labels: SnapshotLabels;
  /**
   * Put volumes back from their own earlier snapshot (the pipeline's rollback of a refresh). Only
   * then may a target also be a source of the snapshot, and only mapped onto itself.
   */
  readonly restore?: boolean;
  /**
   * Prepare the clone where no app, user or port can reach it (only `connection(ref)` can, for the
   * masking tasks); `startPublish` later puts it in place atomically. Only for providers whose
   * capabilities say `staging`.
   */
  readonly stage?: boolean;
}

export interface ResourceInfo {
  readonly ref: ResourceRef;
  readonly labels: Readonly<Record<string, string>>;
  /** An environment serves from it right now; gc never deletes such a resource. */
  readonly inUse: boolean;
}

/** How to reach a volume's Postgres. */
export type ConnectionInfo =
  | { readonly kind: 'url'; readonly connectionString: string }
  | {
      readonly kind: 'secret';
      /** Secrets Manager secret holding host, port, username and password. */
      readonly secretArn: string;
      readonly host?: string;
      readonly port?: number;
    };

/**
 * One storage step of a data refresh, as the pipeline runs it (refresh-data's actions):
 * `backup-target` snapshots the environment's own volumes so a failed run can put them back,
 * `snapshot-source` captures production, `clone` overwrites the environment from that capture, and
 * `publish` puts a masked, verified clone in place.
 */
export type RefreshStep = 'backup-target' | 'snapshot-source' | 'clone' | 'publish';

export interface SnapshotCapabilities {
  /**
   * The provider's refresh, step by step, in the order the pipeline runs them (plan-run hands it
   * to the state machine). It always ends with `publish`, which the pipeline starts only after
   * masking and its verification passed. A plan without `backup-target` must return `backup` from
   * its clone's successful poll instead, or a failed run could not put the environment back.
   */
  readonly refreshSteps: readonly RefreshStep[];
  /** Several volumes can be captured at one instant (a protection group, a cluster, a shared quiesce). */
  readonly consistencyGroup: boolean;
  /** An existing target volume can be replaced where it is (same name, same address). */
  readonly inPlaceOverwrite: boolean;
  /** Starts return before the work is done, so callers must poll. */
  readonly async: boolean;
  /**
   * `copy`: startSnapshot makes a real point-in-time copy. `marker`: it records intent only and the
   * copy happens at clone time (Aurora clones straight from the live cluster).
   */
  readonly snapshotStep: 'copy' | 'marker';
  /**
   * Clones can be staged (`StartCloneRequest.stage`) and published after masking, so unmasked data
   * is never served. False: an overwrite clone is live at once (FlashArray, Aurora).
   */
  readonly staging: boolean;
}

/**
 * A byte-for-byte search of a prepared clone's files at rest for sample values of the source (see
 * `SnapshotProvider.scanAtRest`). Counts and file names only: never a value.
 */
export type RestScan =
  | {
      readonly kind: 'scanned';
      readonly files: number;
      readonly bytes: number;
      /** Sample values searched for. */
      readonly searched: number;
      /** Sample values left out: too short to mean anything, or holding a line break. */
      readonly skipped: number;
      /** Sample values found somewhere in the files (must be 0). */
      readonly found: number;
      /** Files (relative to the volume) holding a found value. */
      readonly hitFiles: readonly string[];
    }
  | {
      readonly kind: 'unreachable';
      /** Why this provider cannot read the files, and what it guarantees instead. */
      readonly reason: string;
    };

export interface SnapshotProvider {
  readonly type: ProviderType;
  capabilities(): SnapshotCapabilities;
  startSnapshot(request: StartSnapshotRequest): Promise<OperationRef>;
  startClone(request: StartCloneRequest): Promise<OperationRef>;
  /**
   * Puts a staged clone in place of its targets, atomically, and serves it; a clone that was not
   * staged is already in place, so its publish succeeds at once.
   */
  startPublish(ref: VolumeSetRef): Promise<OperationRef>;
  poll(operation: OperationRef): Promise<OperationStatus>;
  /** Deleting something already gone is a success. */
  startDelete(ref: ResourceRef): Promise<OperationRef>;
  /** Resources carrying every given label (an empty selector lists everything Tollgate labelled). */
  list(selector: Readonly<Record<string, string>>): Promise<ResourceInfo[]>;
  /** Connection to a volume by name, or to the volumes a clone wrote (the first target). */
  connection(target: VolumeSetRef | string): Promise<ConnectionInfo>;
  /**
   * Brings a staged clone to rest (clean shutdown, WAL moved past every old segment) and searches
   * every byte of every file in it for `needles`; `unreachable` where the provider cannot read the
   * files (block storage behind an array, Aurora's storage layer).
   */
  scanAtRest(ref: VolumeSetRef, needles: readonly string[]): Promise<RestScan>;
}
