import { defineConfig } from '../../functions/shared/config/index.js';
import { database } from './database.config.js';

/**
 * The sample pipeline: one release, built once, walked through test, staging and prod, each a
 * local process behind its own port. Smoke tests prove the app answers and reports its release.
 */
export default defineConfig({
  name: 'orders-service',
  database,
  source: { repository: 'orders-service', branches: ['main'] },
  build: { command: 'node scripts/build.mjs', artifact: 'dist/release.tgz' },
  environments: [
    {
      name: 'test',
      deploy: { type: 'process', command: 'node src/server.mjs', port: 4701, healthPath: '/health' },
      pollInterval: '1s',
      // Refreshed from a masked snapshot of prod before every release is tested here.
      database: { refresh: true, port: 4711 },
      // The release's own integration suite, run in its unpacked tree against this environment.
      tests: [
        {
          name: 'integration',
          run: 'mkdir -p reports && node --test --test-reporter=junit --test-reporter-destination=reports/junit.xml tests/',
          after: 'deploy',
          timeout: '2m',
          junit: 'reports/*.xml',
        },
      ],
    },
    {
      name: 'staging',
      deploy: { type: 'process', command: 'node src/server.mjs', port: 4702, healthPath: '/health' },
      pollInterval: '1s',
      database: { refresh: true, port: 4712 },
      // A slower release stops here: p95 of GET /version must stay under 500 ms (loose enough for a
      // busy laptop or CI machine; the scenario's slow release adds 800 ms to every fifth request).
      tests: [
        {
          name: 'perf',
          run: 'node tests/perf.mjs',
          after: 'deploy',
          timeout: '2m',
          thresholds: [{ metric: 'p95', max: 500, unit: 'ms', file: 'reports/perf.json' }],
        },
      ],
    },
    {
      name: 'prod',
      deploy: { type: 'process', command: 'node src/server.mjs', port: 4703, healthPath: '/health' },
      pollInterval: '1s',
      database: { port: 4713 },
      // Local approvers are user names; `tollgate up --demo` adds the current user to its copy.
      approval: { approvers: ['ana', 'ben'], timeout: '24h' },
    },
  ],
  smokeTests: [
    { name: 'health', path: '/health', expectStatus: 200, expectBody: '"ok"', timeout: '5s', retries: 2 },
    {
      name: 'version',
      path: '/version',
      expectStatus: 200,
      expectBody: '"digest":"sha256:',
      timeout: '5s',
      retries: 2,
    },
  ],
  concurrency: 'queued',
});
