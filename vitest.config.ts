import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Task logs are asserted where they matter (token-leak test); elsewhere they only drown the output.
    env: { TOLLGATE_LOG_LEVEL: 'WARN' },
  },
});
