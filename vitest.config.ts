import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/support/longest-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // expect.poll gives up after 1 s by default; on a loaded 2-core CI machine a browser's focus
    // move or a dialog closing can take longer, and a poll that passes waits no longer than it must.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 60_000,
    pool: 'forks',
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
    env: { TOLLGATE_LOG_LEVEL: 'WARN', TOLLGATE_CACHE_DIR: join(tmpdir(), 'tollgate-test-cache') },
  },
});
