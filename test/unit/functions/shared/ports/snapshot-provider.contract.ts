import { expect, it } from 'vitest';
import type {
  OperationRef,
  OperationStatus,
  SnapshotLabels,
  SnapshotProvider,
  SnapshotRef,
  VolumeSetRef,
} from '../../../../../functions/shared/ports/snapshot-provider.js';
import { gc } from '../../../../../functions/shared/snapshots/gc.js';

/** What each provider's test file hands the shared suite. */
export interface SnapshotProviderHarness {
  readonly provider: SnapshotProvider;
  /** Existing source volume(s) to snapshot (production). */
  readonly sources: readonly string[];
  /** Returns a fresh target volume name that does not exist yet (for `create`). */
  readonly newTarget: () => string;
  /** Lets time or background work move between polls (a fake's state machine, a real copy). */
  readonly between?: () => Promise<void>;
}

const NOW = new Date('2026-03-01T12:00:00.000Z');
let counter = 0;

export function labelsFor(
  run: string,
  ttl = '2026-03-02T00:00:00.000Z',
  pipeline = 'orders',
): SnapshotLabels {
  return {
    pipeline,
    run: `arn:aws:states:us-east-1:123456789012:execution:tollgate-${pipeline}:${run}`,
    ttl,
  };
}

export async function settle(h: SnapshotProviderHarness, op: OperationRef): Promise<OperationStatus> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const status = await h.provider.poll(op);
    if (status.state !== 'RUNNING') return status;
    await (h.between?.() ?? Promise.resolve());
  }
  throw new Error(`operation ${op.id} never left RUNNING`);
}

async function snapshot(
  h: SnapshotProviderHarness,
  key: string,
  labels: SnapshotLabels,
): Promise<SnapshotRef> {
  const op = await h.provider.startSnapshot({ idempotencyKey: key, source: h.sources, labels });
  const status = await settle(h, op);
  expect(status.state, status.reason).toBe('SUCCEEDED');
  return status.ref as SnapshotRef;
}

async function clone(
  h: SnapshotProviderHarness,
  key: string,
  snap: SnapshotRef,
  target: string,
  labels: SnapshotLabels,
) {
  const op = await h.provider.startClone({
    idempotencyKey: key,
    snapshot: snap,
    targets: [{ source: h.sources[0], target }],
    mode: 'create',
    labels,
  });
  return { op, status: await settle(h, op) };
}

/**
 * The behaviour every SnapshotProvider shares. Call inside a describe block; `harness` is read
 * lazily so beforeAll can build it.
 */
export function snapshotProviderContract(harness: () => SnapshotProviderHarness): void {
  const unique = () => {
    counter += 1;
    return `run-${process.pid}-${counter}`;
  };

  it('returns SUCCEEDED with the resource named in the operation when a snapshot is polled to the end', async () => {
    // Arrange
    const h = harness();
    const run = unique();

    // Act
    const op = await h.provider.startSnapshot({
      idempotencyKey: `${run}/Snapshot`,
      source: h.sources,
      labels: labelsFor(run),
    });
    const status = await settle(h, op);

    // Assert
    expect(status).toEqual({ state: 'SUCCEEDED', ref: op.resource });
    expect(op.resource.volumes.map((v) => v.source)).toEqual(h.sources);
  });

  it('returns the same resource and creates no duplicate when the same key is started twice', async () => {
    // Arrange
    const h = harness();
    const run = unique();
    const request = { idempotencyKey: `${run}/Snapshot`, source: h.sources, labels: labelsFor(run) };

    // Act
    const first = await h.provider.startSnapshot(request);
    await settle(h, first);
    const second = await h.provider.startSnapshot(request);
    await settle(h, second);

    // Assert
    expect(second).toEqual(first);
    const listed = await h.provider.list({ run: request.labels.run });
    const expected = h.provider.capabilities().snapshotStep === 'copy' ? 1 : 0;
    expect(listed.filter((r) => r.ref.kind === 'snapshot')).toHaveLength(expected);
  });

  it('returns a clone carrying the run labels, once, when the same clone key is started twice', async () => {
    // Arrange
    const h = harness();
    const run = unique();
    const labels = labelsFor(run);
    const snap = await snapshot(h, `${run}/Snapshot`, labels);
    const target = h.newTarget();

    // Act
    const first = await clone(h, `${run}/Clone`, snap, target, labels);
    const second = await clone(h, `${run}/Clone`, snap, target, labels);

    // Assert
    expect(first.status.state, first.status.reason).toBe('SUCCEEDED');
    expect(second.op).toEqual(first.op);
    const clones = (await h.provider.list({ run: labels.run })).filter((r) => r.ref.kind === 'volumes');
    expect(clones).toHaveLength(1);
    expect(clones[0].labels).toEqual(labels);
    expect((clones[0].ref as VolumeSetRef).volumes.map((v) => v.target)).toEqual([target]);
  });

  // A start re-invoked after a restart (or a Lambda retry) computes its ttl again from a later clock.
  it('returns the same resources, keeping the first ttl, when a snapshot and a clone are started again later with a later ttl', async () => {
    // Arrange
    const h = harness();
    const run = unique();
    const first = labelsFor(run, '2026-03-02T00:00:00.000Z');
    const later = labelsFor(run, '2026-03-02T00:05:00.000Z');
    const target = h.newTarget();
    const snapOp = await h.provider.startSnapshot({
      idempotencyKey: `${run}/Snap`,
      source: h.sources,
      labels: first,
    });
    const snap = (await settle(h, snapOp)).ref as SnapshotRef;
    const cloned = await clone(h, `${run}/Clone`, snap, target, first);

    // Act
    const snapAgain = await h.provider.startSnapshot({
      idempotencyKey: `${run}/Snap`,
      source: h.sources,
      labels: later,
    });
    const cloneAgain = await clone(h, `${run}/Clone`, snap, target, later);

    // Assert
    expect(snapAgain).toEqual(snapOp);
    expect((await settle(h, snapAgain)).state).toBe('SUCCEEDED');
    expect(cloneAgain.op).toEqual(cloned.op);
    expect(cloneAgain.status.state, cloneAgain.status.reason).toBe('SUCCEEDED');
    const listed = await h.provider.list({ run: first.run });
    expect(listed.map((r) => r.labels.ttl)).toEqual(listed.map(() => first.ttl));
  });

  it('lists only resources whose labels match every selector entry', async () => {
    // Arrange
    const h = harness();
    const run = unique();
    await snapshot(h, `${run}/A`, labelsFor(run, undefined, 'orders'));
    const other = await snapshot(h, `${run}/B`, labelsFor(run, undefined, 'billing'));
    const snapshotsListed = h.provider.capabilities().snapshotStep === 'copy';

    // Act
    const billing = await h.provider.list({
      pipeline: 'billing',
      run: labelsFor(run, undefined, 'billing').run,
    });
    const none = await h.provider.list({ pipeline: 'no-such-pipeline' });

    // Assert
    expect(none).toEqual([]);
    if (snapshotsListed) {
      expect(billing.map((r) => r.ref.name)).toEqual([other.name]);
      expect(billing[0].labels.pipeline).toBe('billing');
    }
  });

  it('removes a resource and succeeds again when deleting it a second time', async () => {
    // Arrange
    const h = harness();
    const run = unique();
    const labels = labelsFor(run);
    const snap = await snapshot(h, `${run}/Snapshot`, labels);
    const made = await clone(h, `${run}/Clone`, snap, h.newTarget(), labels);

    // Act
    const deletes = [];
    for (const ref of [made.status.ref as VolumeSetRef, snap, snap]) {
      deletes.push(await settle(h, await h.provider.startDelete(ref)));
    }

    // Assert
    expect(deletes.map((d) => d.state)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(await h.provider.list({ run: labels.run })).toEqual([]);
  });

  it('deletes only expired resources when gc runs', async () => {
    // Arrange
    const h = harness();
    const run = unique();
    const expired = labelsFor(run, '2026-03-01T11:59:59.000Z');
    const fresh = labelsFor(`${run}-fresh`, '2026-03-01T12:00:01.000Z');
    const oldSnap = await snapshot(h, `${run}/Old`, expired);
    await clone(h, `${run}/OldClone`, oldSnap, h.newTarget(), expired);
    const newSnap = await snapshot(h, `${run}/New`, fresh);
    await clone(h, `${run}/NewClone`, newSnap, h.newTarget(), fresh);

    // Act
    const result = await gc(h.provider, { now: NOW, selector: { pipeline: 'orders' } });
    for (const op of result.deleting) expect((await settle(h, op)).state).toBe('SUCCEEDED');

    // Assert
    expect(await h.provider.list({ run: expired.run })).toEqual([]);
    const kept = await h.provider.list({ run: fresh.run });
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.every((r) => r.labels.ttl === fresh.ttl)).toBe(true);
  });

  const badSnapshots: Array<[string, Record<string, unknown>, RegExp]> = [
    ['the ttl label is missing', { labels: { pipeline: 'orders', run: 'r' } }, /labels\.ttl is required/],
    [
      'the ttl is not a timestamp',
      { labels: { pipeline: 'orders', run: 'r', ttl: 'tomorrow' } },
      /labels\.ttl must be an ISO 8601/,
    ],
    ['a label key has capitals', { labels: { ...labelsFor('x'), Owner: 'me' } }, /key "Owner" must match/],
    ['the idempotency key is empty', { idempotencyKey: ' ' }, /idempotencyKey must be a non-empty string/],
    ['no source volume is given', { source: [] }, /source must list at least one volume/],
    [
      'a source volume name has a slash',
      { source: ['../etc'] },
      /source\[0\]: "\.\.\/etc" is not a valid volume name/,
    ],
  ];
  for (const [why, patch, message] of badSnapshots) {
    it(`throws InvalidInput and creates nothing when ${why}`, async () => {
      // Arrange
      const h = harness();
      const before = await h.provider.list({});
      const request = {
        idempotencyKey: `${unique()}/Bad`,
        source: h.sources,
        labels: labelsFor('bad'),
        ...patch,
      };

      // Act
      const attempt = h.provider.startSnapshot(request as never);

      // Assert
      await expect(attempt).rejects.toMatchObject({
        name: 'Tollgate.InvalidInput',
        message: expect.stringMatching(message),
      });
      expect(await h.provider.list({})).toEqual(before);
    });
  }

  it('throws InvalidInput when a clone is given a snapshot from another provider or targets its own source', async () => {
    // Arrange
    const h = harness();
    const run = unique();
    const snap = await snapshot(h, `${run}/Snapshot`, labelsFor(run));
    const foreign = {
      ...snap,
      provider: h.provider.type === 'local' ? 'flasharray' : 'local',
    } as SnapshotRef;
    const base = { idempotencyKey: `${run}/Clone`, mode: 'create' as const, labels: labelsFor(run) };

    // Act
    const wrongProvider = () =>
      h.provider.startClone({
        ...base,
        snapshot: foreign,
        targets: [{ source: h.sources[0], target: h.newTarget() }],
      });
    const ontoSource = () =>
      h.provider.startClone({
        ...base,
        snapshot: snap,
        targets: [{ source: h.sources[0], target: h.sources[0] }],
      });
    const badMode = () =>
      h.provider.startClone({
        ...base,
        mode: 'replace' as never,
        snapshot: snap,
        targets: [{ source: h.sources[0], target: h.newTarget() }],
      });

    // Assert (one pending rejection at a time, so none is ever unhandled)
    await expect(wrongProvider()).rejects.toThrow(/belongs to provider/);
    await expect(ontoSource()).rejects.toThrow(/is a source of the snapshot; refusing to overwrite it/);
    await expect(badMode()).rejects.toThrow(/mode must be "create" or "overwrite"/);
  });

  it('returns SUCCEEDED at once with the same ref when a clone that was not staged is published', async () => {
    // Arrange
    const h = harness();
    const run = unique();
    const labels = labelsFor(run);
    const snap = await snapshot(h, `${run}/Snapshot`, labels);
    const { status: cloned } = await clone(h, `${run}/Clone`, snap, h.newTarget(), labels);
    const ref = cloned.ref as VolumeSetRef;

    // Act
    const published = await settle(h, await h.provider.startPublish(ref));

    // Assert
    expect(ref.staged ?? false).toBe(false);
    expect(published).toEqual({ state: 'SUCCEEDED', ref });
    expect(typeof h.provider.capabilities().staging).toBe('boolean');
  });

  it('throws InvalidInput when publish is given something that is not a clone of this provider', async () => {
    // Arrange
    const h = harness();
    const foreign = { provider: 'nobody', kind: 'volumes', name: 'x', mode: 'overwrite', volumes: [] };

    // Act
    const publish = () => h.provider.startPublish(foreign as unknown as VolumeSetRef);

    // Assert
    await expect(publish()).rejects.toThrow(/startPublish needs a VolumeSetRef returned by this/);
  });
}
