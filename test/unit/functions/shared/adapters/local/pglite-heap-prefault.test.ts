import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EmscriptenHeap,
  prefaultBytes,
  prefaultHeap,
} from '../../../../../../functions/shared/adapters/local/pglite-heap-prefault.js';
import { VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import { WarmPGlite } from '../../../../../../functions/shared/adapters/local/pglite-warm-start.js';
import { sql, tempDir } from '../../../../../support/pglite-server.js';

// vitest: own process. The fault counts below are the whole process's (getrusage): files sharing
// the process would add their own.

const MiB = 1024 * 1024;

/**
 * Whether heap pages fault one 4 kB page at a time. With transparent huge pages set to `always`,
 * WASM memory faults 2 MB at a time, so there are no thousands of faults to count (nor to save).
 */
function faultsPerSmallPage(): boolean {
  try {
    return !/\[always\]/.test(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'));
  } catch {
    return true;
  }
}
const params = (sharedBuffers: string) => [
  ...PGlite.defaultStartParams,
  '-c',
  `shared_buffers=${sharedBuffers}`,
];

describe('prefaultBytes', () => {
  it.each([
    ['16MB', 34],
    ['32MB', 52],
    ['128MB', 160],
    ['4096kB', 21],
    ['1GB', 1168],
  ])('covers the shared memory of shared_buffers=%s with %i MiB', (sharedBuffers, mib) => {
    expect(prefaultBytes(params(sharedBuffers))).toBe(mib * MiB);
  });

  it('reads the last shared_buffers, as Postgres does, and pre-faults nothing without one it can read', () => {
    expect(prefaultBytes([...params('16MB'), '-c', 'shared_buffers=32MB'])).toBe(52 * MiB);
    expect(prefaultBytes(PGlite.defaultStartParams)).toBe(0);
    expect(prefaultBytes(['-c', 'shared_buffers=4096'])).toBe(0);
  });
});

describe('prefaultHeap', () => {
  /** A heap of one block: enough to see what is allocated, written and freed. */
  function oneBlockHeap(size: number, pointer = 4096) {
    const calls: string[] = [];
    const heap: EmscriptenHeap = {
      HEAPU8: new Uint8Array(pointer + size),
      _malloc: (bytes) => {
        calls.push(`malloc ${bytes}`);
        return bytes <= size ? pointer : 0;
      },
      _free: (p) => void calls.push(`free ${p}`),
    };
    return { heap, calls };
  }

  it('allocates the block, leaves it zero and frees it', () => {
    const { heap, calls } = oneBlockHeap(64 * 1024);
    expect(prefaultHeap(heap, 64 * 1024)).toBe(64 * 1024);
    expect(calls).toEqual(['malloc 65536', 'free 4096']);
    expect(heap.HEAPU8.every((b) => b === 0)).toBe(true);
  });

  it('touches nothing when the allocator refuses, is missing, or nothing is asked', () => {
    const { heap, calls } = oneBlockHeap(4096);
    expect(prefaultHeap(heap, 8192)).toBe(0);
    expect(calls).toEqual(['malloc 8192']);
    expect(prefaultHeap({ HEAPU8: new Uint8Array(8) }, 8192)).toBe(0);
    expect(prefaultHeap(undefined, 8192)).toBe(0);
    expect(prefaultHeap(heap, 0)).toBe(0);
  });
});

describe('a warm PGlite pre-faults its heap', () => {
  const dir = tempDir('tollgate-prefault-');
  let seeded = '';

  beforeAll(async () => {
    const host = new VolumeHost({ dataDir: dir.path, warmStart: false });
    const url = await host.open('seed', 0);
    await sql(url, "CREATE TABLE t AS SELECT g AS id, 'row ' || g AS note FROM generate_series(1, 200) g");
    await host.closeAll();
    seeded = host.volumeDir('seed');
  });

  afterAll(() => dir.remove());

  /** Attaches a warm PGlite to the seeded volume; the process's page faults during the attach. */
  async function attachFaults(warm: WarmPGlite) {
    await warm.whenReady();
    const before = process.resourceUsage().minorPageFault;
    const db = await warm.attach(seeded);
    const faults = process.resourceUsage().minorPageFault - before;
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t');
    await db.close();
    return { faults, rows: rows.rows[0]!.n };
  }

  it('takes the page faults of shared memory in the warm-up, so the attach does not, and serves the same data', async () => {
    // Arrange
    const startParams = params('32MB');
    const plain = new WarmPGlite(startParams, { prefault: 0 });
    const prefaulted = new WarmPGlite(startParams);
    // Act
    const without = await attachFaults(plain);
    const withPrefault = await attachFaults(prefaulted);
    // Assert: 32 MB of shared buffers is 8,192 pages that fault in the attach unless pre-faulted
    expect(plain.prefaulted).toBe(0);
    expect(prefaulted.prefaulted).toBe(52 * MiB);
    if (faultsPerSmallPage()) {
      expect(without.faults).toBeGreaterThan(8_192);
      // Half, not less: the count is the whole process's, and V8 may grow its young generation
      // (up to 16 MB: 4,096 faults) inside the window. A loaded CI run saw 4,209 against 15,647;
      // quiet runs see ~600. Without the pre-fault both attaches fault alike.
      expect(withPrefault.faults).toBeLessThan(without.faults / 2);
    }
    expect(withPrefault.rows).toBe(200);
    expect(without.rows).toBe(200);
  });
});
