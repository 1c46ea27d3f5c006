import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { VolumeHost } from '../functions/shared/adapters/local/pglite-volumes.js';
import type { BenchResult } from './bench-row.js';
import { runScenarioA } from './scenario.js';
import { benchThreadRecycling } from './thread-recycling.js';

/**
 * Issue #18's rows for PGlite off the runtime's event loop: scenario (a)'s orchestration share with
 * a CPU-bound process spinning beside it for the whole run (the loaded machine of the issue), and
 * the peak RSS of a runtime process serving three volumes (each with its own PGlite), and the CPU
 * the PGlite threads cost with and without recycling them (thread-recycling.ts).
 */
export async function benchDataThread({ quick }: { quick: boolean }): Promise<BenchResult> {
  const spinner = spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' });
  let scenario: Awaited<ReturnType<typeof runScenarioA>>;
  try {
    scenario = await runScenarioA({ quick });
  } finally {
    spinner.kill('SIGKILL');
  }
  const { share, wall } = scenario;
  const orchestration = (100 * share.orchestration) / share.total;
  const rss = await threeVolumesPeakRss();
  const recycling = await benchThreadRecycling();
  return {
    rows: [
      {
        name: `scenario (a) with a CPU-bound process beside it (${quick ? '2k' : '100k'} orders)`,
        value: wall / 1000,
        unit: 's',
      },
      {
        name: 'orchestration: engine, bus and runner, beside a CPU-bound process',
        value: orchestration,
        unit: '% of run',
        target: '≤ 10%',
        met: orchestration <= 10,
      },
      { name: 'peak RSS of a runtime serving three volumes', value: rss, unit: 'MiB' },
      ...recycling,
    ],
  };
}

/** In a process of its own, so nothing measured before counts in its peak. */
async function threeVolumesPeakRss(): Promise<number> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, '--three-volumes'],
    { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' },
  );
  return Number(JSON.parse(stdout.trim().split('\n').at(-1)!).peakRssMiB);
}

/** Three served volumes, each given 100k rows, an index and a full scan: what a runtime holds. */
async function serveThreeVolumes(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-rss-'));
  const host = new VolumeHost({ dataDir: dir });
  try {
    for (const name of ['test', 'staging', 'prod']) {
      const client = new pg.Client({ connectionString: await host.open(name, 0) });
      await client.connect();
      await client.query(
        'CREATE TABLE t AS SELECT g AS id, md5(g::text) AS note FROM generate_series(1, 100000) g',
      );
      await client.query('CREATE INDEX ON t (note)');
      await client.query('SELECT count(*), max(note) FROM t');
      await client.end();
    }
    await host.warmReady();
    console.log(JSON.stringify({ peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
  } finally {
    await host.closeAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--three-volumes')) await serveThreeVolumes();
else if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatTable } = await import('./bench-row.js');
  const result = await benchDataThread({ quick: process.argv.includes('--quick') });
  console.log(formatTable('data-thread', result.rows));
}
