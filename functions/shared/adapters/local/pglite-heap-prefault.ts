/**
 * Pre-faulting the part of a PGlite heap that Postgres's shared memory will take.
 *
 * Postgres zeroes its shared memory as it starts (Emscripten's anonymous mmap is memalign + memset
 * on the WASM heap). Those heap pages were never touched, so each 4 kB page faults on its first
 * write: with shared_buffers=32MB that memset was 75-125 ms of a 150-260 ms start on this VM, where
 * page faults are dear; the rest of the start is ~35 ms. A warm PGlite can take those faults
 * before it is needed: allocate the block Postgres will ask for, write one byte per page, free it.
 * Emscripten's allocator never gives WASM memory back and hands the freed block out again, so the
 * memset then runs over pages that are already there. The cost moves into the warm-up, off the
 * refresh; the heap ends no larger than it would have.
 */
const MiB = 1024 * 1024;
const OS_PAGE = 4096;

/** The Emscripten module's allocator and heap view, as PGlite's build exports them. */
export interface EmscriptenHeap {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  /** Replaced by Emscripten when the heap grows: read it after a malloc, never before. */
  readonly HEAPU8: Uint8Array;
}

const UNIT_BYTES: Record<string, number> = { kB: 1024, MB: MiB, GB: 1024 * MiB };

/**
 * How much heap to pre-fault for a Postgres started with `startParams`: shared_buffers (the last
 * `-c shared_buffers=`, as Postgres reads it) and what shared memory adds to it (WAL buffers of
 * 1/32 of it, buffer descriptors, lock tables). Measured, in MiB of pre-fault after which the start
 * stopped getting faster: 16 → 32, 32 → 48, 128 → 160; `× 1.125 + 16` covers all three. Without a
 * shared_buffers in the form VolumeHost writes, 0: nothing is pre-faulted.
 */
export function prefaultBytes(startParams: readonly string[]): number {
  const setting = startParams.findLast((param) => param.startsWith('shared_buffers='));
  const match = setting ? /^shared_buffers=(\d+)(kB|MB|GB)$/.exec(setting) : null;
  if (!match) return 0;
  const sharedBuffers = Number(match[1]) * UNIT_BYTES[match[2]!]!;
  return Math.ceil((sharedBuffers * 1.125) / MiB) * MiB + 16 * MiB;
}

/**
 * Faults in `bytes` of the heap the next allocations will use, then frees them. Returns the bytes
 * touched: 0 when there is nothing to do or the module lacks the allocator (a PGlite build without
 * these exports starts as before, only slower; the warm-start test notices).
 */
export function prefaultHeap(heap: Partial<EmscriptenHeap> | undefined, bytes: number): number {
  if (bytes <= 0 || typeof heap?._malloc !== 'function' || typeof heap._free !== 'function') return 0;
  const pointer = heap._malloc(bytes);
  if (!pointer) return 0;
  try {
    const view = heap.HEAPU8;
    if (!(view instanceof Uint8Array) || view.length < pointer + bytes) return 0;
    // A write, not a read: reading an untouched page maps the shared zero page and faults again on
    // the write. Writing 0 to memory malloc just handed us changes nothing anyone can see.
    for (let at = pointer; at < pointer + bytes; at += OS_PAGE) view[at] = 0;
    return bytes;
  } finally {
    heap._free(pointer);
  }
}
