import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshCliBundle } from '../bin/cli-bundle.js';
import { buildCli } from '../scripts/build-cli.js';
import type { BenchResult, BenchRow } from './bench-row.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/tollgate.js');
const TARGET_MS = 300;

/** A one-file app in a fresh git repository: enough for `tollgate up` to load a config and listen. */
function tinyRepo(dir: string): void {
  writeFileSync(join(dir, 'package.json'), '{"name":"bench-app","private":true}\n');
  writeFileSync(
    join(dir, 'tollgate.config.ts'),
    `export default ${JSON.stringify({
      name: 'bench-app',
      source: { repository: 'bench-app', branches: ['main'] },
      build: { command: 'true', artifact: 'release.tgz' },
      environments: [{ name: 'prod', deploy: { type: 'process', command: 'true', port: 4799 } }],
    })};\n`,
  );
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['add', '-A'],
    ['-c', 'user.email=b@e.test', '-c', 'user.name=b', 'commit', '-qm', 'init'],
  ])
    execFileSync('git', args, { cwd: dir });
}

function startUp(repo: string, dataDir: string): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'up', '--repo', repo, '--data-dir', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tollgate up did not start in 120 s: ${out.trim().split('\n').at(-1)}`));
    }, 120_000);
    const onData = (chunk: Buffer) => {
      out += chunk;
      const match = /Tollgate is up on (http:\/\/\S+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        endpoint: match[1]!,
        stop: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', () => reject(new Error(`tollgate up exited: ${out.trim().split('\n').at(-1)}`)));
  });
}

function wallMs(args: string[]): number {
  const t0 = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Start-up of the precompiled CLI (`npm run build:cli`): p50 wall time of `tollgate --help` and of
 * `tollgate runs --json` against a running runtime, each run alternating with `node -e 0` so both
 * see the same machine load.
 */
export async function benchCliStartup({ quick }: { quick: boolean }): Promise<BenchResult> {
  await buildCli();
  if (!freshCliBundle(new URL('../', import.meta.url)))
    throw new Error('the CLI bundle went stale while benchmarking (a source file changed)');
  const runs = quick ? 5 : 21;
  const repo = mkdtempSync(join(tmpdir(), 'tollgate-bench-cli-'));
  const dataDir = join(repo, '.tollgate');
  let up: Awaited<ReturnType<typeof startUp>> | undefined;
  try {
    tinyRepo(repo);
    up = await startUp(repo, dataDir);
    const commands = { '--help': ['--help'], 'runs --json': ['runs', '--json', '--data-dir', dataDir] };
    const times: Record<string, number[]> = { node: [], '--help': [], 'runs --json': [] };
    wallMs([BIN, '--help']); // warm the file cache
    for (let i = 0; i < runs; i++) {
      times.node!.push(wallMs(['-e', '0']));
      for (const [name, args] of Object.entries(commands)) times[name]!.push(wallMs([BIN, ...args]));
    }
    const node = median(times.node!);
    return {
      rows: Object.keys(commands).map(
        (name): BenchRow => ({
          name: `tollgate ${name} (p50 wall, ${runs} runs)`,
          value: Math.round(median(times[name]!)),
          unit: 'ms',
          peer: `node -e 0: ${Math.round(node)} ms`,
          ratio: median(times[name]!) / node,
          target: `≤ ${TARGET_MS} ms`,
          met: median(times[name]!) <= TARGET_MS,
        }),
      ),
    };
  } finally {
    await up?.stop();
    rmSync(repo, { recursive: true, force: true, maxRetries: 5 });
  }
}
