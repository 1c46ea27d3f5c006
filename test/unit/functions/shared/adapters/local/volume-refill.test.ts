import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { snapshotVolume } from '../../../../../../functions/shared/adapters/local/incremental-copy.js';
import type {
  SnapshotFiles,
  VolumeManifest,
} from '../../../../../../functions/shared/adapters/local/volume-manifest.js';
import {
  commitRefill,
  pendingRefill,
  type RefillPlan,
  refillVolume,
  rollbackRefill,
} from '../../../../../../functions/shared/adapters/local/volume-refill.js';
import { tempDir } from '../../../../../support/pglite-server.js';
import { fakeDataDir, hashTree, randomWrites, seededRandom } from '../../../../../support/volume-tree.js';

/** Every call that changes the tree; the test dies (throws) at the k-th, as a kill would stop it. */
const MUTATIONS = ['renameSync', 'mkdirSync', 'rmdirSync', 'symlinkSync', 'utimesSync', 'rmSync'] as const;

class Killed extends Error {}

function killAfter(k: number): () => number {
  let calls = 0;
  for (const name of MUTATIONS) {
    const original = fs[name] as (...args: unknown[]) => unknown;
    vi.spyOn(fs, name).mockImplementation(((...args: unknown[]) => {
      calls += 1;
      if (calls === k) throw new Killed(`killed at mutation ${k} (${name})`);
      return original.apply(fs, args);
    }) as never);
  }
  return () => calls;
}

/** A prod volume, test refilled from prod's first snapshot, then both sides written and a new snapshot. */
function world(seed: number) {
  const dir = tempDir('tollgate-refill-');
  const random = seededRandom(seed);
  const prod = path.join(dir.path, 'prod');
  const test = path.join(dir.path, 'test');
  const snap1 = path.join(dir.path, 'snap1');
  const snap2 = path.join(dir.path, 'snap2');
  fakeDataDir(prod, 30, 8192, random);
  fakeDataDir(test, 5, 8192, random);
  const first = snapshotVolume({
    liveDir: prod,
    manifest: undefined,
    dest: snap1,
    locate: () => undefined,
    finalDir: snap1,
    genPrefix: 's1',
  });
  const refilled = refillVolume({
    liveDir: test,
    manifest: undefined,
    fromDir: snap1,
    fromFiles: first.files,
    move: false,
    intentFile: path.join(dir.path, 'intent.json'),
    backupDir: path.join(dir.path, 'backup'),
  });
  commitRefill(path.join(dir.path, 'intent.json'));
  fs.rmSync(path.join(dir.path, 'backup'), { recursive: true, force: true });
  randomWrites(prod, random, 12);
  randomWrites(test, random, 12);
  // A database created in prod and one dropped from test since: whole directories come and go.
  fs.mkdirSync(path.join(prod, 'base', '5'));
  fs.writeFileSync(path.join(prod, 'base', '5', '16400'), Buffer.alloc(8192, 7));
  fs.mkdirSync(path.join(test, 'base', '9'));
  fs.writeFileSync(path.join(test, 'base', '9', '16500'), Buffer.alloc(8192, 9));
  fs.symlinkSync('../elsewhere', path.join(prod, 'pg_notify', 'tblspc-link'));
  const second = snapshotVolume({
    liveDir: prod,
    manifest: first.manifest,
    dest: snap2,
    locate: () => undefined,
    finalDir: snap2,
    genPrefix: 's2',
  });
  return { dir, test, snap2, files: second.files, testManifest: refilled.manifest };
}

function refillArgs(w: ReturnType<typeof world>, manifest: VolumeManifest | undefined, files: SnapshotFiles) {
  return {
    liveDir: w.test,
    manifest,
    fromDir: w.snap2,
    fromFiles: files,
    move: true,
    intentFile: path.join(w.dir.path, 'intent.json'),
    backupDir: path.join(w.dir.path, 'backup'),
  };
}

/**
 * Runs the refill once per change it makes, killed at the k-th (k = 1, 2, …), rolling back from the
 * intent `rollbacks` times after each kill (a second crash during the rollback repeats it) and
 * calling `afterRollback(k)`; stops at the first k that is past the last change and returns that
 * whole refill's plan and the number of changes it made. A rolled-back refill leaves exactly the
 * world it started from, so one world serves every k.
 */
function killAtEveryChange(
  w: ReturnType<typeof world>,
  manifest: VolumeManifest | undefined,
  rollbacks: number,
  afterRollback: (k: number) => void,
): { plan: RefillPlan; made: number } {
  const intent = path.join(w.dir.path, 'intent.json');
  for (let k = 1; ; k += 1) {
    const calls = killAfter(k);
    let plan: RefillPlan | undefined;
    try {
      plan = refillVolume(refillArgs(w, manifest, w.files)).plan;
    } catch (error) {
      if (!(error instanceof Killed)) throw error;
    }
    const made = calls();
    vi.restoreAllMocks();
    if (plan) return { plan, made };
    const pending = pendingRefill(intent);
    for (let i = 0; pending && i < rollbacks; i += 1) rollbackRefill(w.test, pending);
    commitRefill(intent);
    fs.rmSync(path.join(w.dir.path, 'backup'), { recursive: true, force: true });
    afterRollback(k);
  }
}

function links(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(root, { withFileTypes: true, recursive: true })) {
    const file = path.join(e.parentPath, e.name);
    if (e.isSymbolicLink()) out[path.relative(root, file)] = fs.readlinkSync(file);
  }
  return out;
}

describe('refillVolume', () => {
  const dirs: Array<{ remove: () => void }> = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const d of dirs.splice(0)) d.remove();
  });

  it('returns the volume byte-identical to the snapshot, touching only what differs', () => {
    // Arrange
    const w = world(7);
    dirs.push(w.dir);
    const kept = fs.statSync(path.join(w.test, 'PG_VERSION')).ino;
    const expected = hashTree(w.snap2); // before: single-use files move out of it

    // Act
    const result = refillVolume(refillArgs(w, w.testManifest, w.files));
    commitRefill(path.join(w.dir.path, 'intent.json'));

    // Assert
    expect(hashTree(w.test)).toEqual(expected);
    expect(Object.keys(hashTree(w.test)).sort()).toEqual(Object.keys(w.files.files).sort());
    expect(links(w.test)).toEqual({ 'pg_notify/tblspc-link': '../elsewhere' });
    expect(fs.existsSync(path.join(w.test, 'base', '9'))).toBe(false);
    expect(fs.statSync(path.join(w.test, 'PG_VERSION')).ino).toBe(kept);
    expect(result.reused).toBeGreaterThan(15);
    expect(result.copied + result.moved).toBeLessThan(25);
    expect(pendingRefill(path.join(w.dir.path, 'intent.json'))).toBeUndefined();
  });

  it('returns the old volume and a whole snapshot when killed at any change and rolled back from its intent', () => {
    // Arrange
    const w = world(11);
    dirs.push(w.dir);
    const testBefore = hashTree(w.test);
    const linksBefore = links(w.test);
    const snapBefore = hashTree(w.snap2);

    // Act
    const { made } = killAtEveryChange(w, w.testManifest, 1, (k) => {
      // Assert
      expect(hashTree(w.test), `killed at change ${k}`).toEqual(testBefore);
      expect(links(w.test), `killed at change ${k}`).toEqual(linksBefore);
      expect(hashTree(w.snap2), `killed at change ${k}`).toEqual(snapBefore);
    });

    // Assert: past the last change, every earlier k was a kill, and this one a whole refill.
    expect(made).toBeGreaterThan(20);
  });

  it('swaps whole directories when nothing of the volume is kept and every file may move, and the result is the same', () => {
    // Arrange: no manifest for test, so none of its files can be kept
    const w = world(13);
    dirs.push(w.dir);
    const expected = hashTree(w.snap2);
    const snapshotDir = fs.statSync(w.snap2).ino;
    const oldTest = hashTree(w.test);
    const renames = vi.spyOn(fs, 'renameSync');

    // Act
    const result = refillVolume(refillArgs(w, undefined, w.files));
    commitRefill(path.join(w.dir.path, 'intent.json'));

    // Assert: the snapshot's directory is the volume now, the volume's the backup: two renames
    // besides the intent's own (written to a temp file and renamed)
    expect(renames).toHaveBeenCalledTimes(3);
    expect(fs.statSync(w.test).ino).toBe(snapshotDir);
    expect(fs.existsSync(w.snap2)).toBe(false);
    expect(hashTree(w.test)).toEqual(expected);
    expect(links(w.test)).toEqual({ 'pg_notify/tblspc-link': '../elsewhere' });
    expect(hashTree(path.join(w.dir.path, 'backup'))).toEqual(oldTest);
    expect(result).toMatchObject({ reused: 0, copied: 0, moved: Object.keys(w.files.files).length });
    expect(result.plan.swapped).toBe(true);
  });

  it('moves file by file, without a swap, when one of the snapshot’s files is shared with another snapshot', () => {
    // Arrange: one file of the snapshot hard-linked elsewhere, as an earlier snapshot's file is
    const w = world(17);
    dirs.push(w.dir);
    fs.linkSync(path.join(w.snap2, 'PG_VERSION'), path.join(w.dir.path, 'elsewhere-PG_VERSION'));
    const expected = hashTree(w.snap2);

    // Act
    const result = refillVolume(refillArgs(w, undefined, w.files));
    commitRefill(path.join(w.dir.path, 'intent.json'));

    // Assert: the shared file was copied, not moved, and the snapshot's directory stayed
    expect(result.plan.swapped).toBeUndefined();
    expect(result.copied).toBe(1);
    expect(fs.existsSync(w.snap2)).toBe(true);
    expect(hashTree(w.test)).toEqual(expected);
  });

  it('returns the old volume and a whole snapshot when a swap is killed at any change and rolled back', () => {
    // Arrange
    const w = world(19);
    dirs.push(w.dir);
    const testBefore = hashTree(w.test);
    const snapBefore = hashTree(w.snap2);

    // Act: each rollback twice, as a second crash during the first would make it
    const { plan, made } = killAtEveryChange(w, undefined, 2, (k) => {
      // Assert
      expect(hashTree(w.test), `killed at change ${k}`).toEqual(testBefore);
      expect(hashTree(w.snap2), `killed at change ${k}`).toEqual(snapBefore);
    });

    // Assert
    expect(plan.swapped).toBe(true);
    expect(made).toBeGreaterThan(2);
  });

  it('throws NotFound naming the file and changes nothing when the snapshot lacks a file the volume needs', () => {
    // Arrange
    const w = world(3);
    dirs.push(w.dir);
    const missing = Object.keys(w.files.files).find((rel) => rel.startsWith('base/5/'))!;
    fs.rmSync(path.join(w.snap2, missing));
    const before = hashTree(w.test);

    // Act
    const act = () => refillVolume(refillArgs(w, w.testManifest, w.files));

    // Assert
    expect(act).toThrow(`snapshot file ${missing} is missing`);
    expect(hashTree(w.test)).toEqual(before);
    expect(pendingRefill(path.join(w.dir.path, 'intent.json'))).toBeUndefined();
  });
});
