import { execFile } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DirArtifactStore } from '../functions/shared/adapters/local/dir-artifact-store.js';
import { type BenchRow, formatTable } from './bench-row.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const THIS_FILE = fileURLToPath(import.meta.url);

interface ChildReport {
  readonly seconds: number;
  readonly digest: string;
  readonly maxRssMiB: number;
}

/**
 * register-release on a large artifact: DirArtifactStore.ingest (hash + write + fsync + no-replace
 * link) against `sha256sum` reading the same file, and the ingest's peak RSS. The ingest runs in a
 * fresh child process so its peak RSS is its own, not the bench runner's.
 */
export async function benchRegisterRelease(opts: { sizeBytes?: number } = {}): Promise<{ rows: BenchRow[] }> {
  const sizeBytes = opts.sizeBytes ?? GiB;
  if (!Number.isInteger(sizeBytes) || sizeBytes < MiB)
    throw new Error('sizeBytes must be an integer of at least 1 MiB');
  // os.tmpdir() is on the same disk as the repository here; a tmpfs /tmp would flatter the writes.
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-bench-release-'));
  try {
    const file = join(dir, 'release.tgz');
    await writeRandomFile(file, sizeBytes);
    await sha256sum(file); // warm the page cache so both sides read from memory
    const script = await bundleChild(dir);
    const baseline = await ingestInChild(script, file, join(dir, 'baseline'), true);
    const peer: number[] = [];
    const ours: ChildReport[] = [];
    for (let round = 0; round < 2; round++) {
      peer.push(await timed(() => sha256sum(file)));
      ours.push(await ingestInChild(script, file, join(dir, `store-${round}`), false));
    }
    const expected = await sha256sum(file);
    if (ours.some((r) => r.digest !== `sha256:${expected}`))
      throw new Error('ingest digest differs from sha256sum');
    const mib = sizeBytes / MiB;
    const peerRate = mib / Math.min(...peer);
    const ourRate = mib / Math.min(...ours.map((r) => r.seconds));
    const peakRss = Math.max(...ours.map((r) => r.maxRssMiB));
    const label = sizeBytes >= GiB ? `${(sizeBytes / GiB).toFixed(0)} GiB` : `${mib.toFixed(0)} MiB`;
    return {
      rows: [
        { name: `sha256sum on a ${label} artifact`, value: round2(peerRate), unit: 'MiB/s' },
        {
          name: `DirArtifactStore.ingest on a ${label} artifact (hash + write + fsync)`,
          value: round2(ourRate),
          unit: 'MiB/s',
          peer: 'sha256sum',
          ratio: round2(ourRate / peerRate),
          target: '≥ 0.8',
          met: ourRate / peerRate >= 0.8,
        },
        {
          name: `ingest peak RSS (${label})`,
          value: round2(peakRss),
          unit: 'MiB',
          peer: `same child, no ingest: ${round2(baseline.maxRssMiB)} MiB`,
          target: '≤ 100 MB',
          met: peakRss * MiB <= 100 * 1000 * 1000,
        },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The `npm run bench` entry: `--quick` uses 64 MiB instead of 1 GiB. */
export async function benchRegisterReleaseSection(opts: { quick: boolean }): Promise<{ rows: BenchRow[] }> {
  return benchRegisterRelease({ sizeBytes: opts.quick ? 64 * MiB : GiB });
}

async function writeRandomFile(path: string, size: number): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    const chunk = Buffer.alloc(8 * MiB);
    for (let written = 0; written < size; written += chunk.length) {
      randomFillSync(chunk);
      await handle.write(chunk, 0, Math.min(chunk.length, size - written));
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function sha256sum(file: string): Promise<string> {
  const { stdout } = await run('sha256sum', [file]);
  return stdout.split(' ')[0];
}

/**
 * The child runs as plain Node on an esbuild bundle, as the Lambda does: a TypeScript loader in the
 * child would add its own tens of MiB to the RSS being measured.
 */
async function bundleChild(dir: string): Promise<string> {
  const outfile = join(dir, 'ingest-child.mjs');
  // Imported here and kept external, so the child never loads esbuild itself.
  const { build } = await import('esbuild');
  await build({
    entryPoints: [THIS_FILE],
    outfile,
    bundle: true,
    external: ['esbuild'],
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
  return outfile;
}

async function ingestInChild(
  script: string,
  file: string,
  storeDir: string,
  idle: boolean,
): Promise<ChildReport> {
  const args = [script, '--child', file, storeDir, ...(idle ? ['--idle'] : [])];
  const { stdout } = await run(process.execPath, args, { maxBuffer: MiB });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ChildReport;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Child side: ingest one file and report elapsed time and this process's peak RSS (VmHWM). */
async function child(file: string, storeDir: string, idle: boolean): Promise<void> {
  let seconds = 0;
  let digest = '';
  if (!idle) {
    const store = new DirArtifactStore(storeDir);
    const start = process.hrtime.bigint();
    const result = await store.ingest(createReadStream(file, { highWaterMark: MiB }));
    seconds = Number(process.hrtime.bigint() - start) / 1e9;
    digest = result.digest;
  }
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const hwmKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? process.resourceUsage().maxRSS);
  process.stdout.write(`${JSON.stringify({ seconds, digest, maxRssMiB: hwmKiB / 1024 })}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [, , mode, ...rest] = process.argv;
  if (mode === '--child') {
    await child(rest[0], rest[1], rest.includes('--idle'));
  } else {
    const sizeArg = process.argv.find((a) => a.startsWith('--size-mib='));
    const sizeBytes = sizeArg ? Number(sizeArg.split('=')[1]) * MiB : GiB;
    const result = await benchRegisterRelease({ sizeBytes });
    console.log(formatTable('register-release', result.rows));
  }
}
