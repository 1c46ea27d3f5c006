import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A filesystem with reflinks (FICLONE) on a loop-mounted image, for the reflink refresh test and
 * the bench: this machine's own disk (ext4) has none. XFS first (`mkfs.xfs -m reflink=1`, Debian's
 * xfsprogs, which `.ci/run` installs), btrfs otherwise. Needs root for the mount.
 */
export interface ReflinkFs {
  /** The mount point: the filesystem's root directory. */
  readonly dir: string;
  /** `xfs` or `btrfs`. */
  readonly kind: string;
  /** Unmounts and deletes the image; safe to call twice. */
  unmount(): void;
}

/** Why a reflink filesystem cannot be made here, or undefined when it can (Linux, root, mkfs). */
export function reflinkFsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'needs root to loop-mount a filesystem image';
  if (!mkfsCommand()) return 'neither mkfs.xfs (xfsprogs) nor mkfs.btrfs (btrfs-progs) is installed';
  return undefined;
}

/**
 * Makes a sparse image of `bytes` under `workDir`, formats it with reflinks and mounts it at
 * `<workDir>/mnt`. Throws with mkfs's or mount's own first line when either fails (a container
 * without loop devices, say).
 */
export function mountReflinkFs(workDir: string, bytes: number): ReflinkFs {
  const mkfs = mkfsCommand();
  if (!mkfs) throw new Error(reflinkFsUnavailable());
  const image = path.join(workDir, 'reflink-fs.img');
  const dir = path.join(workDir, 'mnt');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(image, '');
  fs.truncateSync(image, bytes);
  const kind = mkfs === 'mkfs.xfs' ? 'xfs' : 'btrfs';
  const made = spawnSync(mkfs, kind === 'xfs' ? ['-q', '-m', 'reflink=1', image] : ['-q', image], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`${mkfs} failed: ${firstLine(made.stderr)}`);
  const mounted = spawnSync('mount', ['-o', 'loop', image, dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    fs.rmSync(image, { force: true });
    throw new Error(`mount -o loop failed (no loop devices?): ${firstLine(mounted.stderr)}`);
  }
  let done = false;
  return {
    dir,
    kind,
    unmount: () => {
      if (done) return;
      done = true;
      spawnSync('umount', [dir]);
      fs.rmSync(image, { force: true });
    },
  };
}

function mkfsCommand(): string | undefined {
  return ['mkfs.xfs', 'mkfs.btrfs'].find((m) => spawnSync('which', [m]).status === 0);
}

function firstLine(text: string | undefined): string {
  return (text ?? '').trim().split('\n')[0] || 'no output';
}
