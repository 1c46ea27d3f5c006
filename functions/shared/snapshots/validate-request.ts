import { InvalidInputError } from '../errors.js';
import type {
  CloneMode,
  ProviderType,
  SnapshotLabels,
  SnapshotRef,
  StartCloneRequest,
  StartSnapshotRequest,
} from '../ports/snapshot-provider.js';
import { validateLabels } from './labels.js';

/** Plain names only: they become directory names, Purity volume names and RDS identifiers. */
export const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const MAX_KEY = 512;

export interface ValidatedSnapshotRequest {
  readonly idempotencyKey: string;
  readonly source: string[];
  readonly labels: SnapshotLabels;
}

export interface ValidatedCloneRequest {
  readonly idempotencyKey: string;
  readonly snapshot: SnapshotRef;
  readonly targets: Array<{ source: string; target: string }>;
  readonly mode: CloneMode;
  readonly labels: SnapshotLabels;
}

function validateKey(key: unknown): string {
  if (typeof key !== 'string' || key.trim().length === 0 || key.length > MAX_KEY) {
    throw new InvalidInputError(`idempotencyKey must be a non-empty string of at most ${MAX_KEY} chars`);
  }
  return key;
}

function validateVolumeName(name: unknown, what: string, pattern: RegExp = VOLUME_NAME): string {
  if (typeof name !== 'string' || !pattern.test(name)) {
    throw new InvalidInputError(`${what}: "${String(name)}" is not a valid volume name (${pattern.source})`);
  }
  return name;
}

export function validateSnapshotRequest(
  request: StartSnapshotRequest,
  pattern?: RegExp,
): ValidatedSnapshotRequest {
  const idempotencyKey = validateKey(request?.idempotencyKey);
  if (!Array.isArray(request.source) || request.source.length === 0) {
    throw new InvalidInputError('source must list at least one volume to snapshot');
  }
  const source = request.source.map((s, i) => validateVolumeName(s, `source[${i}]`, pattern));
  const dup = source.find((s, i) => source.indexOf(s) !== i);
  if (dup) throw new InvalidInputError(`source lists volume "${dup}" twice`);
  return { idempotencyKey, source, labels: validateLabels(request.labels) };
}

function validateSnapshotRef(ref: unknown, provider: ProviderType): SnapshotRef {
  const r = ref as SnapshotRef | undefined;
  if (r?.kind !== 'snapshot' || typeof r.name !== 'string' || !Array.isArray(r.volumes)) {
    throw new InvalidInputError('snapshot must be a SnapshotRef returned by poll() of a snapshot operation');
  }
  if (r.provider !== provider) {
    throw new InvalidInputError(
      `snapshot "${r.name}" belongs to provider "${r.provider}", not "${provider}"`,
    );
  }
  return r;
}

export function validateCloneRequest(
  request: StartCloneRequest,
  provider: ProviderType,
  pattern?: RegExp,
): ValidatedCloneRequest {
  const idempotencyKey = validateKey(request?.idempotencyKey);
  const snapshot = validateSnapshotRef(request.snapshot, provider);
  if (request.mode !== 'create' && request.mode !== 'overwrite') {
    throw new InvalidInputError(`mode must be "create" or "overwrite", got "${String(request.mode)}"`);
  }
  if (!Array.isArray(request.targets) || request.targets.length === 0) {
    throw new InvalidInputError('targets must list at least one {source, target} volume mapping');
  }
  const sources = new Set(snapshot.volumes.map((v) => v.source));
  const targets = request.targets.map((t, i) => {
    const source = validateVolumeName(t?.source, `targets[${i}].source`, pattern);
    const target = validateVolumeName(t?.target, `targets[${i}].target`, pattern);
    if (!sources.has(source)) {
      throw new InvalidInputError(`targets[${i}].source "${source}" is not in snapshot "${snapshot.name}"`);
    }
    // A refresh snapshot's source is production: writing to it would destroy the data being copied.
    // A restore writes a volume back from its own backup, which is the one legitimate exception.
    if (sources.has(target) && !(request.restore === true && source === target)) {
      throw new InvalidInputError(
        `targets[${i}].target "${target}" is a source of the snapshot; refusing to overwrite it`,
      );
    }
    return { source, target };
  });
  const names = targets.map((t) => t.target);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new InvalidInputError(`targets name volume "${dup}" twice`);
  return { idempotencyKey, snapshot, targets, mode: request.mode, labels: validateLabels(request.labels) };
}
