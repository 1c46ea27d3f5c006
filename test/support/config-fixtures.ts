import type { TollgateConfigInput } from '../../functions/shared/config/schema.js';

/** A minimal valid config; tests override the part they exercise. */
export function validConfig(overrides: Partial<TollgateConfigInput> = {}): TollgateConfigInput {
  return {
    name: 'orders-service',
    source: { repository: 'orders-service', branches: ['main'] },
    build: { command: 'npm run build', artifact: 'dist/release.tgz' },
    environments: [
      { name: 'test', deploy: { type: 'process', command: 'node src/server.mjs', port: 4701 } },
      { name: 'prod', deploy: { type: 'process', command: 'node src/server.mjs', port: 4703 } },
    ],
    smokeTests: [{ name: 'health', path: '/health' }],
    concurrency: 'queued',
    ...overrides,
  };
}
