import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from './bench-row.js';
import { benchScenario } from './scenario.js';

const MAIN = join(import.meta.dirname, '../test/support/rehearsal/main.ts');

interface Report {
  readonly wallSeconds: number;
  readonly setupSeconds: number;
  readonly results: ReadonlyArray<{ name: string; passed: boolean; seconds: number }>;
  readonly denied: readonly string[];
}

/**
 * `npm run rehearse` as a user runs it (synth with bundling, moto, every scenario), timed from
 * outside; its happy path next to the same commit → prod on the local runtime (scenario (a), small
 * data), measured in the same run.
 */
export async function benchRehearsal({ quick }: { quick: boolean }): Promise<BenchResult> {
  const report = join(mkdtempSync(join(tmpdir(), 'tollgate-bench-rehearsal-')), 'report.json');
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...(quick ? ['happy'] : [])], {
      env: { ...process.env, REHEARSAL_REPORT: report },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('exit', resolve);
  });
  const wall = (Date.now() - started) / 1000;
  let parsed: Report;
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8')) as Report;
  } catch {
    throw new Error(`npm run rehearse exited with ${code} and wrote no report`);
  }
  const local = await benchScenario({ quick: true });
  const localSeconds = Number(local.rows[0]?.value);
  const happy = parsed.results.find((r) => r.name.startsWith('happy path'));
  const passed = parsed.results.filter((r) => r.passed).length;
  return {
    rows: [
      {
        name: `npm run rehearse, wall time (${quick ? 'happy path only' : 'every scenario'})`,
        value: wall,
        unit: 's',
      },
      {
        name: 'of which synth (bundling 19 functions), moto and provisioning',
        value: parsed.setupSeconds,
        unit: 's',
      },
      {
        name: `happy path on emulated AWS (${happy?.passed ? 'passed' : 'failed'})`,
        value: happy?.seconds ?? Number.NaN,
        unit: 's',
        peer: `local runtime, scenario (a) 2k orders: ${localSeconds.toFixed(1)} s`,
        ratio: (happy?.seconds ?? Number.NaN) / localSeconds,
      },
      {
        name: 'scenarios passed',
        value: `${passed} / ${parsed.results.length}`,
        unit: '',
        target: 'all',
        met: passed === parsed.results.length,
      },
      {
        name: 'denied IAM calls',
        value: parsed.denied.length,
        unit: '',
        target: '0',
        met: parsed.denied.length === 0,
      },
    ],
  };
}
