import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../../functions/shared/config/index.js';
import type { TollgateConfigInput } from '../../../../../functions/shared/config/schema.js';
import { ConfigError } from '../../../../../functions/shared/errors.js';
import { validConfig } from '../../../../support/config-fixtures.js';

function withTestEnv(fields: Record<string, unknown>): TollgateConfigInput {
  const raw = validConfig();
  raw.environments[0] = { ...raw.environments[0]!, ...(fields as object) };
  return raw;
}

function problem(fields: Record<string, unknown>): string {
  try {
    parseConfig(withTestEnv(fields));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

const INTEGRATION = { name: 'integration', run: 'npm test', junit: 'reports/*.xml' };

describe('environments[].tests and .verify', () => {
  it('returns a test stage with its defaults: after deploy, a 10 minute timeout, no env, no thresholds', () => {
    // Act
    const config = parseConfig(withTestEnv({ tests: [INTEGRATION] }));

    // Assert
    expect(config.environments[0]!.tests).toEqual([
      { ...INTEGRATION, after: 'deploy', timeout: 600, env: {}, thresholds: [] },
    ]);
    expect(config.environments[1]!.tests).toEqual([]);
  });

  it('returns a verify window in seconds with every defaulting to 30s', () => {
    // Act
    const config = parseConfig(
      withTestEnv({ verify: { for: '10m', checks: [{ name: 'health', path: '/health' }] } }),
    );

    // Assert
    expect(config.environments[0]!.verify).toMatchObject({
      for: 600,
      every: 30,
      checks: [{ name: 'health', retries: 2 }],
    });
  });

  it.each([
    [{ tests: [{ ...INTEGRATION, after: 'build' }] }, 'environments[0].tests[0].after'],
    [{ tests: [{ ...INTEGRATION, timeout: '10' }] }, 'tests[].timeout must be a positive duration'],
    [{ tests: [{ ...INTEGRATION, junit: '../secrets/*.xml' }] }, 'must be a path inside the release tree'],
    [{ tests: [{ ...INTEGRATION, junit: '/etc/*.xml' }] }, 'must be a path inside the release tree'],
    [{ tests: [{ ...INTEGRATION, junit: 'reports/*/x.xml' }] }, '"*" only in the file name'],
    [{ tests: [{ ...INTEGRATION, env: { DATABASE_URL: 'x' } }] }, 'is set by Tollgate'],
    [{ tests: [{ ...INTEGRATION, env: { TOLLGATE_URL: 'x' } }] }, 'is set by Tollgate'],
    [{ tests: [{ ...INTEGRATION, env: { 'BAD-NAME': 'x' } }] }, 'must be a variable name'],
    [
      { tests: [{ ...INTEGRATION, thresholds: [{ metric: 'p95', file: 'perf.json' }] }] },
      'give "max" or "min"',
    ],
    [
      { tests: [{ ...INTEGRATION, thresholds: [{ metric: 'p95', max: 1, file: '../perf.json' }] }] },
      'inside the release tree',
    ],
    [
      { tests: [{ ...INTEGRATION, thresholds: [{ metric: 'p 95', max: 1, file: 'perf.json' }] }] },
      'dotted key path',
    ],
    [{ tests: [INTEGRATION, INTEGRATION] }, 'duplicate test stage name "integration"'],
    [{ tests: [{ ...INTEGRATION, extra: 1 }] }, 'environments[0].tests[0]'],
    [
      { verify: { for: '1m', every: '2m', checks: [{ name: 'h', path: '/h' }] } },
      'every (120s) is longer than for (60s)',
    ],
    [
      { verify: { for: '1d', every: '1s', checks: [{ name: 'h', path: '/h' }] } },
      'use every of at least 173s',
    ],
    [{ verify: { for: '10m', checks: [] } }, 'list at least one check'],
    [{ verify: { for: '10m', checks: [{ name: 'h' }] } }, 'set exactly one of "path"'],
  ])('refuses %j in one line naming %s', (fields, expected) => {
    // Act
    const message = problem(fields);

    // Assert
    expect(message).toContain(expected);
  });
});
