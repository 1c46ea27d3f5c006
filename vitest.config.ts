import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/support/longest-first-sequencer.js';
import { sharedProcessFiles } from './test/support/shared-process-files.js';

const shared = sharedProcessFiles(import.meta.dirname);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // expect.poll gives up after 1 s by default; on a loaded 2-core CI machine a browser's focus
    // move or a dialog closing can take longer, and a poll that passes waits no longer than it must.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 60_000,
    // Vitest's default is one worker fewer than the CPUs: a single worker on a 2-core CI machine,
    // so the suite ran file by file. Most of the slow files wait on child processes, sockets and
    // PGlite I/O rather than the CPU, so two workers overlap that waiting (three made start-up and port races flaky).
    maxWorkers: 2,
    minWorkers: 1,
    // Longest files first, so neither worker ends the run alone on one slow file.
    sequence: { sequencer: LongestFirstSequencer },
    // Task logs are asserted where they matter (token-leak test); elsewhere they only drown the output.
    // New PGlite volumes copy one cached empty cluster instead of running initdb (~5 s each); the
    // tests keep theirs apart from the user's own cache, shared by the workers and later runs.
    // TOLLGATE_TEST_RUN names this run to files that share work across workers (the CDK assembly).
    env: {
      TOLLGATE_LOG_LEVEL: 'WARN',
      TOLLGATE_CACHE_DIR: join(tmpdir(), 'tollgate-test-cache'),
      TOLLGATE_TEST_RUN: String(process.pid),
    },
    // Two projects, run one after the other (groupOrder) on two workers each. Files that leave the
    // process as they found it share worker threads that outlive them (isolate: false): forking and
    // importing afresh for each cost more than a third of their run. The rest (e2e, browser,
    // rehearsal, files that mock) get a fresh process each. See test/support/shared-process-files.ts.
    // `include` lives only in the projects: `extends` would add a root one to each. Vitest makes one
    // pool per kind for the whole run from the root's poolOptions, hence threads vs forks.
    poolOptions: { threads: { isolate: false }, forks: { isolate: true } },
    projects: [
      {
        extends: true,
        test: {
          name: 'shared-process',
          include: shared,
          pool: 'threads',
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'own-process',
          include: ['test/**/*.test.ts'],
          exclude: shared,
          pool: 'forks',
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
