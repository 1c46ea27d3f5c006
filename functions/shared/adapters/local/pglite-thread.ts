import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { InvalidInputError } from '../../errors.js';
import type { ThreadError, ThreadReply, ThreadRequest, ThreadStart } from './pglite-thread-protocol.js';
import { WarmPGlite } from './pglite-warm-start.js';
import { PrivateNodeFS } from './private-node-fs.js';

/**
 * Worker-thread entry: owns one volume's PGlite at a time, so its statements, checkpoints and start
 * run off the runtime's event loop (see threaded-pglite.ts). Started warm, it holds a WarmPGlite
 * waiting for `attach`; otherwise `open` starts PGlite cold. `recycle` closes the volume's PGlite,
 * and a later `warm` starts a new WarmPGlite here: this thread's modules are loaded and its JIT warm, which a new
 * thread pays for again (see pglite-thread-pool.ts).
 */

/** Output is posted in pieces of at least this size: one message per PGlite flush is too many. */
const POST_BYTES = 64 * 1024;

const port = parentPort;
if (!port) throw new Error('pglite-thread.ts runs as a worker thread only');
const { startParams, warm: startWarm } = workerData as ThreadStart;
const post = (reply: ThreadReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);

let warm: WarmPGlite | undefined;
let db: PGlite | undefined;
if (startWarm) startWarmPGlite(0);

function startWarmPGlite(round: number): void {
  const next = new WarmPGlite(startParams);
  warm = next;
  next.whenReady().then(
    () => post({ kind: 'warm', round }),
    () => undefined,
  );
}

port.on('message', (request: ThreadRequest) => {
  handle(request).then(
    () => post({ kind: 'done', id: request.id }),
    (error: unknown) => post({ kind: 'failed', id: request.id, error: asThreadError(error) }),
  );
});

async function handle(request: ThreadRequest): Promise<void> {
  switch (request.op) {
    case 'open':
      noDatabaseYet();
      warm?.abandon();
      warm = undefined;
      db = await PGlite.create({ fs: new PrivateNodeFS(request.dataDir), startParams: [...startParams] });
      return;
    case 'attach': {
      noDatabaseYet();
      if (!warm) throw new InvalidInputError('this PGlite thread has no warm PGlite left to attach');
      db = await warm.attach(request.dataDir);
      warm = undefined;
      return;
    }
    case 'exec':
      await opened().exec(request.sql);
      return;
    case 'raw':
      await streamRaw(request.id, request.message);
      return;
    case 'close':
      warm?.abandon();
      warm = undefined;
      await db?.close();
      db = undefined;
      return;
    case 'recycle': {
      warm?.abandon();
      warm = undefined;
      // A close that fails leaves PGlite in a state nobody should inherit: the caller ends the thread.
      await closeDatabase();
      // After the reply: the collection (tens of ms on a 400 MiB heap) is this thread's own work,
      // not the closing volume's, whose refresh waits on the reply. Queued before the reply goes,
      // it runs ahead of a warm-up, which comes a message round trip later, so the next PGlite is
      // allocated into freed memory as before.
      setImmediate(releaseMemory);
      return;
    }
    case 'warm':
      noDatabaseYet();
      warm?.abandon();
      startWarmPGlite(request.round);
      return;
  }
}

/** Runs one wire-protocol message, posting its output in order as PGlite produces it. */
async function streamRaw(id: number, message: Uint8Array): Promise<void> {
  let pending: Uint8Array[] = [];
  let size = 0;
  const flush = () => {
    if (size === 0) return;
    const data = pending.length === 1 ? pending[0] : Buffer.concat(pending);
    // A buffer of exactly its own bytes (never a pooled Buffer's slab): moved, not copied.
    const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
    post({ kind: 'data', id, data: own }, [own.buffer as ArrayBuffer]);
    pending = [];
    size = 0;
  };
  try {
    await opened().execProtocolRawStream(message, {
      onRawData: (chunk) => {
        // A view into PGlite's WASM heap, which its next write reuses: copied out here.
        pending.push(chunk.slice());
        size += chunk.length;
        if (size >= POST_BYTES) flush();
      },
    });
  } finally {
    flush();
  }
}

/** Closes the served PGlite; no reference to it outlives this frame, so `releaseMemory` can free it. */
async function closeDatabase(): Promise<void> {
  const closing = db;
  db = undefined;
  await closing?.close();
}

/**
 * Frees the closed PGlite's WebAssembly memory (its heap: shared_buffers and more) before the next
 * one is allocated. Left to the collector, it went when V8 next felt pressure: RSS swung by about
 * 160 MiB over 20 recycles. `gc` is reachable only through the flag, set for new contexts.
 */
function releaseMemory(): void {
  collect ??= exposeGc();
  collect();
}
let collect: (() => void) | undefined;

function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function opened(): PGlite {
  if (!db) throw new InvalidInputError('this PGlite thread has no database open');
  return db;
}

function noDatabaseYet(): void {
  if (db) throw new InvalidInputError('this PGlite thread already has a database open');
}

function asThreadError(error: unknown): ThreadError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
