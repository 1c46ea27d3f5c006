import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { InvalidInputError } from '../../errors.js';
import type { ThreadError, ThreadReply, ThreadRequest, ThreadStart } from './pglite-thread-protocol.js';
import { WarmPGlite } from './pglite-warm-start.js';
import { PrivateNodeFS } from './private-node-fs.js';

/**
 * Worker-thread entry: owns one volume's PGlite, so its statements, checkpoints and start run off
 * the runtime's event loop (see threaded-pglite.ts). Started warm, it holds a WarmPGlite waiting
 * for `attach`; otherwise `open` starts PGlite cold.
 */

/** Output is posted in pieces of at least this size: one message per PGlite flush is too many. */
const POST_BYTES = 64 * 1024;

const port = parentPort;
if (!port) throw new Error('pglite-thread.ts runs as a worker thread only');
const { startParams, warm: startWarm } = workerData as ThreadStart;
const post = (reply: ThreadReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);

let warm = startWarm ? new WarmPGlite(startParams) : undefined;
warm?.whenReady().then(
  () => post({ kind: 'warm' }),
  () => undefined,
);
let db: PGlite | undefined;

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
