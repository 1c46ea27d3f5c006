import { describe, expect, it } from 'vitest';
import { extractEvidence } from '../../model/evidence.js';
import { evidenceLine } from '../../model/evidence-line.js';
import {
  enteredStates,
  pipelinePerTest,
  promotedRelease,
  servedRelease,
} from '../support/pipeline-scenario.js';

const pipelines = pipelinePerTest();

/** A feature's test committed before the feature works: the release's own suite fails in test. */
const FAILING_SUITE = `import assert from 'node:assert/strict';
import { test } from 'node:test';
test('lists discounts', async () => {
  const response = await fetch(process.env.TOLLGATE_URL + '/discounts');
  assert.equal(response.status, 200, 'GET /discounts answered ' + response.status);
});
`;

describe('test stages and post-deployment verification on the local engine', () => {
  it("stops the run in test when the release's integration suite fails, naming the failing test", async () => {
    // Arrange: no staging (the bad release stops in test; staging's deploy and perf suite only
    // made the good release's run longer).
    const pipeline = await pipelines.open({ environments: ['test', 'prod'] });
    const good = await promotedRelease(pipeline);
    const bad = pipeline.repo.commit('discounts (test first)', { 'tests/discounts.test.mjs': FAILING_SUITE });

    // Act
    const run = await pipeline.start(bad);
    const result = await pipeline.finish(run);

    // Assert
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Tollgate.TestsFailed');
    const cause = JSON.parse(result.cause!);
    expect(cause).toMatchObject({ stage: 'tests', environment: 'test' });
    expect(cause.cause).toContain('first failing test: lists discounts: GET /discounts answered 404');
    expect(cause.rolledBack).toMatchObject({ restoredVersion: good.output.release });
    const report = extractEvidence(JSON.parse(cause.cause.slice(cause.cause.indexOf('{'))));
    expect(evidenceLine(report)).toContain(
      '✗ integration 3/4 passed; lists discounts: GET /discounts answered 404',
    );
    const testPort = (pipeline.config.environments[0]!.deploy as { port: number }).port;
    expect((await servedRelease(testPort)).version).toBe(good.output.release);
    expect(await enteredStates(pipeline, run)).not.toContain('Promote');
  });

  it('stops a slower release in staging on the p95 threshold, with the measured value as evidence', async () => {
    // Arrange
    const pipeline = await pipelines.open();
    await promotedRelease(pipeline);
    const slow = pipeline.repo.commit('slow /version in staging', {
      'src/faults.json': JSON.stringify({ slowVersionIn: ['staging'] }),
    });

    // Act
    const result = await pipeline.finish(await pipeline.start(slow));

    // Assert
    expect(result.error).toBe('Tollgate.TestsFailed');
    const cause = JSON.parse(result.cause!);
    expect(cause).toMatchObject({ stage: 'tests', environment: 'staging' });
    const report = JSON.parse(cause.cause.slice(cause.cause.indexOf('{')));
    const [threshold] = report.tests[0].thresholds;
    expect(threshold).toMatchObject({ metric: 'p95', max: 500, unit: 'ms', passed: false });
    expect(threshold.value).toBeGreaterThanOrEqual(300);
    expect(cause.cause).toMatch(/threshold p95 \d+ ms > max 500 ms/);
    // Only the tail is slow (every fifth request): the median the suite printed is under the bar.
    const p50 = Number(/p50 (\d+) ms/.exec(report.tests[0].output.join('\n'))?.[1]);
    expect(p50).toBeLessThan(500);
  });

  it("rolls prod back when a check fails inside its verify window, and records it as the verify stage's rollback", async () => {
    // Arrange: prod verifies GET /orders four times after promote; the bad release fails it from the
    // fourth call. No staging: both runs only passed its deploy and perf suite on their way to prod.
    const pipeline = await pipelines.open({
      environments: ['test', 'prod'],
      prodVerify: { for: '2m', every: '30s', checks: [{ name: 'orders', path: '/orders', retries: 0 }] },
    });
    const good = await promotedRelease(pipeline);
    const bad = pipeline.repo.commit('orders fail under load in prod', {
      'src/faults.json': JSON.stringify({ ordersFailUnderLoadIn: ['prod'] }),
    });

    // Act
    const run = await pipeline.start(bad);
    const result = await pipeline.finish(run);

    // Assert
    expect(result.error).toBe('Tollgate.VerificationFailed');
    const cause = JSON.parse(result.cause!);
    expect(cause).toMatchObject({
      stage: 'verify',
      environment: 'prod',
      rolledBack: { action: 'redeployed', restoredVersion: good.output.release, state: 'HEALTHY' },
    });
    expect(cause.cause).toContain('(round 4 of 4)');
    const entered = await enteredStates(pipeline, run);
    expect(entered.filter((s) => s === 'WaitToVerify')).toHaveLength(4);
    const prodPort = (pipeline.config.environments.find((e) => e.name === 'prod')!.deploy as { port: number })
      .port;
    expect((await servedRelease(prodPort)).version).toBe(good.output.release);
    // `tollgate envs` reads the pointer: it names the release serving again, not the failed one.
    const pointer = await pipeline.runner.ports.artifacts.getPointer<{ version: string }>(
      'envs/orders-service/prod.json',
    );
    expect(pointer?.version).toBe(good.output.release);
    const entries = await pipeline.runner.ports.ledger.query({
      pipeline: 'orders-service',
      kinds: ['rollback'],
    });
    expect(entries.at(-1)?.data).toMatchObject({
      restoredVersion: good.output.release,
      reason: { stage: 'verify', error: 'Tollgate.VerificationFailed' },
    });
  });
});
