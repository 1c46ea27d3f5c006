import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/** Volume data is the environment's database (production's, for the source): owner-only. */
const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

/**
 * Makes every directory under `root` (and `root`) 0700 and every file 0600. PGlite's initdb writes
 * the cluster through Emscripten with mode 0666 and `cp -R` keeps the source's modes, so a new or
 * copied volume is world-readable (and mostly world-writable) until this runs. Symlinks are left
 * alone: chmod would follow them out of the tree.
 */
export function makeTreePrivate(root: string): void {
  if (process.platform === 'win32' || !fs.existsSync(root)) return;
  fs.chmodSync(root, PRIVATE_DIR_MODE);
  for (const entry of fs.readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (entry.isSymbolicLink()) continue;
    const full = path.join(entry.parentPath, entry.name);
    fs.chmodSync(full, entry.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
  }
}

interface EmscriptenNodeFs {
  node_ops: {
    mknod: (parent: unknown, name: string, mode: number, dev: number) => unknown;
    setattr: (node: unknown, attr: { mode?: number }) => void;
  };
  realPath: (node: unknown) => string;
}
interface EmscriptenModule {
  FS: { filesystems: { NODEFS: EmscriptenNodeFs }; isDir: (mode: number) => boolean };
}

/**
 * PGlite's NodeFS, except that every file and directory Postgres creates or chmods while the volume
 * is open is made 0600/0700 at once, whatever the process umask: initdb's files are chmod-ed to
 * 0666, pg_internal.init comes from fopen (0666 less the umask). Emscripten's NODEFS does both
 * through `node_ops.mknod`/`node_ops.setattr`, shared by every node of the mount, so wrapping them
 * once covers the volume.
 */
export class PrivateNodeFS extends NodeFS {
  constructor(dataDir: string) {
    super(dataDir);
    // NodeFS has just created the mount's root (if new) with the default mode.
    if (process.platform !== 'win32') fs.chmodSync(this.rootDir, PRIVATE_DIR_MODE);
  }

  override async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]) {
    const { emscriptenOpts } = await super.init(pg, opts);
    const preRun = [
      ...((emscriptenOpts.preRun as Array<(mod: EmscriptenModule) => void> | undefined) ?? []),
      (mod: EmscriptenModule) => {
        const nodefs = mod.FS.filesystems.NODEFS;
        const { mknod, setattr } = nodefs.node_ops;
        const restrict = (node: unknown, mode: number) => {
          if (process.platform === 'win32') return;
          fs.chmodSync(nodefs.realPath(node), mod.FS.isDir(mode) ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
        };
        nodefs.node_ops.mknod = (parent, name, mode, dev) => {
          const node = mknod(parent, name, mode, dev);
          restrict(node, mode);
          return node;
        };
        nodefs.node_ops.setattr = (node, attr) => {
          setattr(node, attr);
          if (attr.mode !== undefined) restrict(node, attr.mode);
        };
      },
    ];
    return { emscriptenOpts: { ...emscriptenOpts, preRun } as typeof emscriptenOpts };
  }
}
