import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreRecord } from '../../../../runtime/store/engine-store.js';
import { FileLogStore } from '../../../../runtime/store/file-log-store.js';

const writer = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));

interface CrashRun {
  readonly acknowledged: number[];
}

/** Starts the writer, waits for `killAfter` acknowledgements (0: kill as soon as it is ready), SIGKILLs it. */
function runAndKill(
  dir: string,
  mode: 'append' | 'compact',
  start: number,
  killAfter: number,
): Promise<CrashRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, mode, String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acknowledged: number[] = [];
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (killed) return;
      if (line === 'ready') {
        if (killAfter === 0) {
          killed = true;
          child.kill('SIGKILL');
        }
        return;
      }
      acknowledged.push(Number(line));
      if (acknowledged.length >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve({ acknowledged });
      else reject(new Error(`writer exited on its own (${_code}): ${stderr}`));
    });
  });
}

async function replayAll(dir: string): Promise<StoreRecord[]> {
  const store = await FileLogStore.open(dir);
  const records: StoreRecord[] = [];
  for await (const record of store.replay()) records.push(record);
  await store.close();
  return records;
}

function expectedPad(seq: number): number {
  return seq % 9 === 0 ? 40_000 + (seq % 1000) : seq % 200;
}

describe('FileLogStore under kill -9', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-crash-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns every acknowledged record, in order and intact, when killed at several points', async () => {
    // Arrange
    const killPoints = [0, 1, 40, 400, 1500];
    let next = 0;
    for (const killAfter of killPoints) {
      // Act
      const { acknowledged } = await runAndKill(dir, 'append', next, killAfter);
      const records = await replayAll(dir);
      // Assert
      const seqs = records.map((r) => r.seq as number);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
      for (const seq of acknowledged) expect(seq).toBeLessThan(seqs.length);
      for (const record of records) {
        expect(record.t).toBe('seq');
        expect((record.pad as string).length).toBe(expectedPad(record.seq as number));
      }
      expect(seqs.length).toBeGreaterThanOrEqual(next + acknowledged.length);
      next = seqs.length;
    }
    expect(next).toBeGreaterThan(1500);
  });

  it('returns exactly one whole generation when killed while compacting', async () => {
    // Arrange
    const compactDir = join(dir, 'compact');
    let floor = -1;
    for (const killAfter of [0, 3, 60]) {
      // Act
      const { acknowledged } = await runAndKill(compactDir, 'compact', floor + 1, killAfter);
      const records = await replayAll(compactDir);
      // Assert
      const lastAcknowledged = acknowledged.at(-1) ?? floor;
      if (lastAcknowledged < 0) {
        expect(records.length).toBeLessThanOrEqual(1);
      } else {
        expect(records).toHaveLength(1);
      }
      if (records.length === 1) {
        const seq = records[0].seq as number;
        expect(records[0].t).toBe('generation');
        expect(seq).toBeGreaterThanOrEqual(lastAcknowledged);
        expect((records[0].pad as string).length).toBe(expectedPad(seq));
        floor = seq;
      }
    }
    expect(floor).toBeGreaterThanOrEqual(60);
  });
});
