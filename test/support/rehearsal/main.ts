/**
 * `npm run rehearse [-- <scenario words>...]`: synthesizes the stack for
 * examples/orders-service/aws/, runs it end to end against moto_server and the emulators here, and
 * fails on any failed scenario or any IAM call the template's policies do not allow.
 * REHEARSAL_CDK_OUT=<dir> reuses an earlier synth; REHEARSAL_VERBOSE=1 prints every function's logs;
 * REHEARSAL_IAM=report lets denied calls through (still failing the rehearsal) to list them all;
 * REHEARSAL_REPORT=<file> writes the result as JSON (the vitest test and the bench read it).
 */
import { writeFileSync } from 'node:fs';
import { motoAvailable } from '../moto-server.js';

export const INSTALL_HINT =
  "rehearse: moto_server is not on PATH; install it with: pip install 'moto[server]>=5.2'";

async function main(): Promise<number> {
  if (!motoAvailable()) {
    console.error(INSTALL_HINT);
    return 2;
  }
  // Loaded after the check: the CDK and the SDKs take seconds to import.
  const { describeDenied } = await import('./iam-check.js');
  const { startRehearsal } = await import('./rehearsal.js');
  const { runScenarios } = await import('./scenarios.js');
  const t0 = Date.now();
  const verbose = process.env.REHEARSAL_VERBOSE === '1';
  const r = await startRehearsal({
    ...(process.env.REHEARSAL_CDK_OUT ? { cdkOut: process.env.REHEARSAL_CDK_OUT } : {}),
    ...(process.env.REHEARSAL_IAM === 'report' ? { iamMode: 'report' as const } : {}),
    log: verbose ? (line) => console.log(line) : () => undefined,
  });
  const ready = Date.now();
  let results: Awaited<ReturnType<typeof runScenarios>> = [];
  try {
    results = await runScenarios(r, process.argv.slice(2));
  } finally {
    await r.close();
  }
  const denied = new Map<string, string>();
  for (const call of r.iam.denied())
    denied.set(`${call.caller} ${call.action} ${call.resource}`, describeDenied(call));
  console.log(`rehearsal: stack ready in ${((ready - t0) / 1000).toFixed(1)} s`);
  for (const s of results)
    console.log(`${s.passed ? 'PASS' : 'FAIL'} ${s.name} (${s.seconds.toFixed(1)} s): ${s.detail}`);
  console.log(`IAM: ${r.iam.calls.length} calls checked, ${denied.size} distinct denied`);
  for (const line of denied.values()) console.log(`DENIED ${line}`);
  const wallSeconds = (Date.now() - t0) / 1000;
  console.log(`rehearsal: ${wallSeconds.toFixed(1)} s wall time`);
  if (process.env.REHEARSAL_REPORT) {
    writeFileSync(
      process.env.REHEARSAL_REPORT,
      JSON.stringify(
        { wallSeconds, setupSeconds: (ready - t0) / 1000, results, denied: [...denied.values()] },
        null,
        2,
      ),
    );
  }
  return results.length > 0 && results.every((s) => s.passed) && denied.size === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`rehearse: ${error.message}`);
    process.exit(1);
  },
);
