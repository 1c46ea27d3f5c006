import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { motoEnabled } from '../support/moto-server.js';
import { sharedAssembly } from '../support/shared-cdk-assembly.js';

const MAIN = join(import.meta.dirname, '../support/rehearsal/main.ts');
/*
 * The whole rehearsal (one synth, moto, every scenario) runs in npm test whenever moto_server is
 * installed; CI sets REQUIRE_MOTO=1, so a missing emulator fails instead of skipping. The synth is
 * `npx cdk synth` of the AWS example, shared with the cdk-synth test (one bundling of every function
 * per test run instead of two).
 */
const enabled = motoEnabled('rehearsal (npm run rehearse)');

interface Report {
  readonly results: Array<{ name: string; passed: boolean; detail: string }>;
  readonly denied: string[];
}

/** Runs `npm run rehearse` as a user would (a child process) and reads its JSON report. */
function rehearse(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const s of [child.stdout, child.stderr]) s.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run rehearse', () => {
  it.skipIf(!enabled)(
    'takes a commit to prod, fails a bad migration in test, rolls staging back, queues a second commit through the canary steps in prod and aborts a failing canary, with no IAM call denied',
    async () => {
      // Arrange
      const report = join(mkdtempSync(join(tmpdir(), 'tollgate-rehearse-test-')), 'report.json');
      const assembly = await sharedAssembly();
      expect(assembly.status, assembly.stderr).toBe(0);
      // Act
      const { code, output } = await rehearse({
        ...process.env,
        REHEARSAL_REPORT: report,
        REHEARSAL_CDK_OUT: assembly.outdir,
      });
      // Assert
      const parsed = JSON.parse(readFileSync(report, 'utf8')) as Report;
      const failed = parsed.results.filter((s) => !s.passed).map((s) => `${s.name}: ${s.detail}`);
      expect(failed, output).toEqual([]);
      expect(parsed.denied).toEqual([]);
      expect(parsed.results.map((s) => s.name)).toHaveLength(6);
      expect(code).toBe(0);
    },
    1_200_000,
  );

  it('says in one line what to install and exits non-zero when moto_server is missing', async () => {
    // Arrange: a PATH with node but without moto_server
    const env = { ...process.env, PATH: join(process.execPath, '..') };
    // Act
    const { code, output } = await rehearse(env);
    // Assert
    expect(code).not.toBe(0);
    expect(
      output
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('rehearse:')),
    ).toEqual(["rehearse: moto_server is not on PATH; install it with: pip install 'moto[server]>=5.2'"]);
  });
});
