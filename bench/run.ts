import { type BenchResult, formatTable } from './bench-row.js';

// Task INFO lines would bury the tables; sections load their modules (and loggers) after this.
process.env.TOLLGATE_LOG_LEVEL ??= 'WARN';

/**
 * `npm run bench [-- --quick] [-- section ...]`: runs every benchmark and prints one markdown table
 * per section, each figure next to the peer measured in the same run. Figures live here, never in
 * timed tests.
 */
type Section = { name: string; load: () => Promise<(opts: { quick: boolean }) => Promise<BenchResult>> };

const SECTIONS: Section[] = [
  { name: 'engine', load: async () => (await import('./engine.js')).benchEngine },
  {
    name: 'register-release',
    load: async () => (await import('./register-release.js')).benchRegisterReleaseSection,
  },
  { name: 'refresh', load: async () => (await import('./refresh.js')).benchRefresh },
  { name: 'masking', load: async () => (await import('./masking.js')).benchMaskingSection },
  { name: 'wire', load: async () => (await import('./wire.js')).benchWireSection },
  { name: 'ledger', load: async () => (await import('./approvals.js')).benchLedgerAndApprovals },
  {
    name: 'approval-latency',
    load: async () => (await import('./approval-latency.js')).benchApprovalLatency,
  },
  { name: 'scenario', load: async () => (await import('./scenario.js')).benchScenario },
  { name: 'data-thread', load: async () => (await import('./data-thread.js')).benchDataThread },
  { name: 'console', load: async () => (await import('./console.js')).benchConsole },
  {
    name: 'console-delivery',
    load: async () => (await import('./console-delivery.js')).benchConsoleDelivery,
  },
  { name: 'canary', load: async () => (await import('./canary.js')).benchCanary },
  { name: 'bundles', load: async () => (await import('./bundles.js')).benchBundles },
  { name: 'reliability', load: async () => (await import('./reliability.js')).benchReliability },
  { name: 'cli', load: async () => (await import('./cli-startup.js')).benchCliStartup },
  { name: 'config-load', load: async () => (await import('./config-load.js')).benchConfigLoad },
  { name: 'rehearsal', load: async () => (await import('./rehearsal.js')).benchRehearsal },
];

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args.filter((a) => !a.startsWith('--'));
  const unknown = only.filter((name) => !SECTIONS.some((s) => s.name === name));
  if (unknown.length) {
    console.error(
      `unknown bench section(s): ${unknown.join(', ')}; choose from ${SECTIONS.map((s) => s.name).join(', ')}`,
    );
    process.exit(2);
  }
  let failed = false;
  for (const section of SECTIONS.filter((s) => !only.length || only.includes(s.name))) {
    try {
      const run = await section.load();
      const result = await run({ quick });
      console.log(`${formatTable(section.name, result.rows)}\n`);
    } catch (error) {
      failed = true;
      console.log(`### ${section.name}\n\nnot measured: ${(error as Error).message.split('\n')[0]}\n`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
