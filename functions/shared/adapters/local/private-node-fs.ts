import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/** Volume data is the environment's database (production's, for the source): owner-only. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

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
  node_ops: { mknod: (parent: unknown, name: string, mode: number, dev: number) => unknown };
  realPath: (node: unknown) => string;
}
interface EmscriptenModule {
  FS: { filesystems: { NODEFS: EmscriptenNodeFs }; isDir: (mode: number) => boolean };
}

/**
 * PGlite's NodeFS, except that every file and directory Postgres creates while the volume is served
 * (new relation files, WAL segments, pg_internal.init through fopen's 0666) is made 0600/0700 the
 * moment it exists, whatever the process umask. Emscripten's NODEFS creates all of them through
 * `node_ops.mknod`, shared by every node of the mount, so wrapping it once covers the volume.
 */
export class PrivateNodeFS extends NodeFS {
  override async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]) {
    const { emscriptenOpts } = await super.init(pg, opts);
    const preRun = [
      ...((emscriptenOpts.preRun as Array<(mod: EmscriptenModule) => void> | undefined) ?? []),
      (mod: EmscriptenModule) => {
        const nodefs = mod.FS.filesystems.NODEFS;
        const mknod = nodefs.node_ops.mknod;
        nodefs.node_ops.mknod = (parent, name, mode, dev) => {
          const node = mknod(parent, name, mode, dev);
          const mode_ = mod.FS.isDir(mode) ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
          if (process.platform !== 'win32') fs.chmodSync(nodefs.realPath(node), mode_);
          return node;
        };
      },
    ];
    return { emscriptenOpts: { ...emscriptenOpts, preRun } as typeof emscriptenOpts };
  }
}
