import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliJson, freePort, startUp, upPerTest } from '../unit/cli/e2e-harness.js';
import { createScenarioRepo, untilFinished } from './scenario-support.js';

const session = upPerTest();

/** The example's own integration stage (examples/orders-service/tollgate.config.ts). */
const INTEGRATION = {
  name: 'integration',
  run: 'mkdir -p reports && node --test --test-reporter=junit --test-reporter-destination=reports/junit.xml tests/',
  timeout: '2m',
  junit: 'reports/*.xml',
};

/** A feature's test committed before the feature works. */
const FAILING_SUITE = `import assert from 'node:assert/strict';
import { test } from 'node:test';
test('lists discounts', async () => {
  const response = await fetch(process.env.TOLLGATE_URL + '/discounts');
  assert.equal(response.status, 200, 'GET /discounts answered ' + response.status);
});
`;

describe('test stages through the CLI', () => {
  it("stops the run in test when the release's integration suite fails, and show names the failing test", async () => {
    // Arrange
    const repo = await createScenarioRepo([{ name: 'test', tests: [INTEGRATION] }, { name: 'staging' }]);
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-test-stages-'));
    session.dataDir = dataDir;
    const dd = ['--data-dir', dataDir];
    session.up = await startUp(dataDir, repo.dir, await freePort());
    writeFileSync(join(repo.dir, 'tests', 'discounts.test.mjs'), FAILING_SUITE);
    const git = (...args: string[]) => execFileSync('git', ['-C', repo.dir, ...args], { stdio: 'ignore' });
    git('add', 'tests/discounts.test.mjs');
    git(
      '-c',
      'user.name=Dana',
      '-c',
      'user.email=dana@orders.example',
      'commit',
      '-m',
      'Discounts: test first',
    );

    // Act
    const { run } = await cliJson(['push', '--repo', repo.dir, ...dd]);
    const finished = await untilFinished(run, dd, 180_000);
    const shown = await cli(['show', run, ...dd]);

    // Assert
    expect(finished.run.status).toBe('FAILED');
    expect(finished.stages.filter((s) => s.environment === 'staging')).toEqual([]);
    expect(finished.stages.find((s) => s.status === 'failed')).toMatchObject({
      environment: 'test',
      stage: 'tests',
      error: 'Tollgate.TestsFailed',
    });
    expect(shown.code).toBe(0);
    const line = shown.stdout.split('\n').find((l) => /\btests\b.*failed/.test(l));
    expect(line).toContain(
      '1 of 4 test(s) failed; first failing test: lists discounts: GET /discounts answered 404',
    );
  });
});
