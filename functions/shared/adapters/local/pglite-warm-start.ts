import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { InvalidInputError, SnapshotFailedError } from '../../errors.js';
import { type EmscriptenHeap, prefaultBytes, prefaultHeap } from './pglite-heap-prefault.js';
import { PrivateNodeFS } from './private-node-fs.js';

/** Where PGlite mounts the data directory inside its Emscripten filesystem. */
const PGDATA = '/pglite/data';

interface NodeFsMount {
  opts: { root: string };
}
interface EmscriptenFS {
  lookupPath: (p: string) => { node: { mount: NodeFsMount } };
}

/**
 * PrivateNodeFS whose data directory is chosen after PGlite has done everything that does not
 * read it. PGlite.create first instantiates the WASM module, zeroes its memory and unpacks its 6 MB
 * file bundle (about half of a start; the other half is Postgres starting on the data), and only
 * then calls `initialSyncFs`, which this holds until `attach`. The mount starts on an empty
 * placeholder directory: Emscripten's NODEFS turns every node into a host path through the mount's
 * `opts.root` at each call, and nothing below the mount is looked up before `initialSyncFs`, so
 * pointing that root at the real directory there is the same as having mounted it.
 */
class DeferredNodeFS extends PrivateNodeFS {
  private mount?: NodeFsMount;
  private heap?: Partial<EmscriptenHeap>;
  /** Bytes of heap faulted in before `moduleReady` (see pglite-heap-prefault.ts). */
  prefaulted = 0;

  private target?: string;
  private release!: (error?: Error) => void;
  private readonly attached = new Promise<void>((resolve, reject) => {
    this.release = (error) => (error ? reject(error) : resolve());
  });
  private markReady!: () => void;
  /** Resolves once PGlite waits for the data directory: everything before it is done. */
  readonly moduleReady = new Promise<void>((resolve) => {
    this.markReady = resolve;
  });

  constructor(
    placeholder: string,
    private readonly prefaultBytes: number,
  ) {
    super(placeholder);
  }

  override async init(pg: PGlite, opts: Parameters<PrivateNodeFS['init']>[1]) {
    const { emscriptenOpts } = await super.init(pg, opts);
    const preRun = [
      ...((emscriptenOpts.preRun as Array<(mod: { FS: EmscriptenFS }) => void> | undefined) ?? []),
      // Runs after NodeFS's own preRun has mounted the placeholder: keep that mount's options.
      (mod: { FS: EmscriptenFS } & Partial<EmscriptenHeap>) => {
        this.mount = mod.FS.lookupPath(PGDATA).node.mount;
        this.heap = mod;
      },
    ];
    return { emscriptenOpts: { ...emscriptenOpts, preRun } as typeof emscriptenOpts };
  }

  override async initialSyncFs(): Promise<void> {
    // The runtime is up (malloc is safe) and Postgres has not started: the warm-up's last step.
    this.prefaulted = prefaultHeap(this.heap, this.prefaultBytes);
    this.markReady();
    await this.attached;
    const mount = this.mount;
    // A PGlite that mounts elsewhere would serve the placeholder: fail instead of serving nothing.
    if (mount?.opts?.root !== this.rootDir || !this.target) {
      throw new SnapshotFailedError(
        `PGlite did not mount its data directory at ${PGDATA} from ${this.rootDir}; warm start is not possible with this PGlite`,
      );
    }
    mount.opts.root = this.target;
    this.rootDir = this.target;
    await super.initialSyncFs();
  }

  attach(dataDir: string): void {
    this.target = path.resolve(dataDir);
    this.release();
  }

  abandon(): void {
    // Abandoned before PGlite got to wait for it, nobody else would ever see the rejection.
    this.attached.catch(() => undefined);
    this.release(new SnapshotFailedError('warm PGlite abandoned before it was attached to a volume'));
  }
}

/**
 * A PGlite started up to the point where it needs its data directory, kept ready so a volume's
 * restart (every refresh restarts the refreshed volume) pays only for Postgres starting on the new
 * data. Single use: `attach` hands over the PGlite, `abandon` discards it.
 */
export class WarmPGlite {
  private readonly fs: DeferredNodeFS;
  private readonly created: Promise<PGlite>;
  private readonly placeholder: string;
  private used = false;
  private moduleDone = false;

  /**
   * `prefault`: bytes of heap to fault in during the warm-up; by default what Postgres's shared
   * memory for `startParams` takes (0 turns it off, for the bench's comparison).
   */
  constructor(startParams: readonly string[], options: { prefault?: number } = {}) {
    // Empty and never written to: the real directory replaces it before Postgres runs.
    this.placeholder = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-warm-pglite-'));
    this.fs = new DeferredNodeFS(this.placeholder, options.prefault ?? prefaultBytes(startParams));
    this.created = PGlite.create({ fs: this.fs, startParams: [...startParams] });
    // An abandoned or failed start must not surface as an unhandled rejection.
    this.created.catch(() => undefined);
    this.fs.moduleReady.then(() => {
      this.moduleDone = true;
      // Mounted, the placeholder is never read again (see DeferredNodeFS): gone now, it cannot be
      // left behind by a spare that waits in a thread pool until its process exits.
      fs.rmSync(this.placeholder, { recursive: true, force: true });
    });
  }

  /** True once all the work that does not need a data directory is done. */
  get ready(): boolean {
    return this.moduleDone;
  }

  /** Bytes of heap faulted in during the warm-up (0 until `ready`). */
  get prefaulted(): number {
    return this.fs.prefaulted;
  }

  /** Resolves when `ready` turns true (tests, the bench). */
  whenReady(): Promise<void> {
    return this.fs.moduleReady;
  }

  /** Starts Postgres on `dataDir` and resolves with the PGlite serving it. */
  async attach(dataDir: string): Promise<PGlite> {
    // PGlite would run initdb into anything else: a volume is made by VolumeHost, never here.
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
      throw new InvalidInputError(`warm PGlite: ${dataDir} is not a Postgres data directory (no PG_VERSION)`);
    }
    this.claim();
    this.fs.attach(dataDir);
    try {
      return await this.created;
    } finally {
      fs.rmSync(this.placeholder, { recursive: true, force: true });
    }
  }

  abandon(): void {
    if (this.used) return;
    this.used = true;
    this.fs.abandon();
    fs.rmSync(this.placeholder, { recursive: true, force: true });
  }

  private claim(): void {
    if (this.used) throw new SnapshotFailedError('a warm PGlite serves one volume only; take a new one');
    this.used = true;
  }
}
