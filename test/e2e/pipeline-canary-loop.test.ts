import { describe, expect, it } from 'vitest';
import { runDetail } from '../../console/server/run-detail.js';
import {
  enteredStates,
  pipelinePerTest,
  promotedRelease,
  servedRelease,
} from '../support/pipeline-scenario.js';

const pipelines = pipelinePerTest();

const canary = (analysis: unknown[]) => ({ type: 'canary', steps: [20, 60], interval: '30s', analysis });

/**
 * The canary loop's paths that need no traffic, on the real engine, runner and process deployer
 * with the fake clock (Wait states take no real time); scenario g drives pass and fail under load.
 */
describe('canary loop on the local engine', () => {
  it('waits another interval while the canary has too few samples, at most 3 times, then aborts and keeps the baseline serving', async () => {
    // Arrange: no traffic reaches prod, so every look at step 1 lacks samples.
    const pipeline = await pipelines.open({
      prodStrategy: canary([{ source: 'requests', metric: 'error-rate', max: 0.05, minSamples: 10 }]),
    });
    const good = await promotedRelease(pipeline);
    const next = pipeline.repo.commit('quiet canary', { 'NOTES.md': 'next\n' });

    // Act
    const run = await pipeline.start(next);
    const result = await pipeline.finish(run);

    // Assert
    expect(result.error).toBe('Tollgate.CanaryAborted');
    const cause = JSON.parse(result.cause!);
    expect(cause.cause).toBe(
      'error-rate: canary: 0 of 10 samples at step 1 (20%), still inconclusive after 4 looks',
    );
    expect(cause).toMatchObject({
      stage: 'canary',
      environment: 'prod',
      canary: { step: 1, percent: 20, look: 4, metric: 'error-rate', verdict: 'inconclusive' },
      rolledBack: { action: 'already-serving', restoredVersion: good.output.release },
    });
    const entered = await enteredStates(pipeline, run);
    expect(entered.filter((s) => s === 'WaitForCanary')).toHaveLength(4);
    expect(entered.filter((s) => s === 'ShiftTraffic')).toHaveLength(1);
    expect(entered).toContain('AbortCanary');
    const prodPort = (pipeline.config.environments.find((e) => e.name === 'prod')!.deploy as { port: number })
      .port;
    expect((await servedRelease(prodPort)).version).toBe(good.output.release);
    const moves = await pipeline.runner.ports.ledger.query({ kinds: ['canary-traffic'], executionArn: run });
    expect(moves.map((e) => e.data.action)).toEqual(['shift', 'abort']);
    // The console's run page gets the same steps `tollgate show` prints.
    const page = await runDetail(
      {
        sfn: pipeline.engine.service,
        ledger: pipeline.runner.ports.ledger,
        approvals: pipeline.runner.ports.approvals,
        clock: { now: () => new Date(pipeline.clock.now()) },
        config: pipeline.config,
      },
      run,
    );
    expect(page.canary.steps.map((s: { look: number; decision: string }) => [s.look, s.decision])).toEqual([
      [1, 'wait again'],
      [2, 'wait again'],
      [3, 'wait again'],
      [4, 'abort'],
    ]);
    expect(page.canary.outcomes).toMatchObject([{ action: 'abort', serving: good.output.release }]);
  });

  it('puts the traffic back when a step cannot be analyzed, and fails with that error', async () => {
    // Arrange: a Prometheus check on a path the app does not serve.
    const pipeline = await pipelines.open({
      prodStrategy: canary([
        { source: 'prometheus', metric: 'http_requests_total', path: '/no-metrics-here', max: 1 },
      ]),
    });
    const good = await promotedRelease(pipeline);

    // Act
    const run = await pipeline.start(pipeline.repo.commit('unreadable', { 'NOTES.md': 'x\n' }));
    const result = await pipeline.finish(run);

    // Assert
    expect(result.status).toBe('FAILED');
    const cause = JSON.parse(result.cause!);
    expect(cause).toMatchObject({
      stage: 'canary',
      environment: 'prod',
      aborted: { action: 'abort', percent: 0 },
    });
    const entered = await enteredStates(pipeline, run);
    expect(entered.slice(entered.indexOf('AnalyzeCanary'), entered.indexOf('AnalyzeCanary') + 2)).toEqual([
      'AnalyzeCanary',
      'AbortCanary',
    ]);
    const prodPort = (pipeline.config.environments.find((e) => e.name === 'prod')!.deploy as { port: number })
      .port;
    expect((await servedRelease(prodPort)).version).toBe(good.output.release);
  });

  it('keeps completing until the canary holds no traffic, as on ECS where the service rolls to the canary first', async () => {
    // Arrange: the router completes in two calls, as the ECS/ALB router does: the first gives the
    // canary everything (the real proxy shifts to 100 %), the second finishes on the real adapter.
    const pipeline = await pipelines.open({
      prodStrategy: canary([
        { source: 'prometheus', metric: 'orders_http_requests_total', max: 1_000_000_000 },
      ]),
    });
    const good = await promotedRelease(pipeline);
    const traffic = pipeline.runner.ports.traffic;
    const realComplete = traffic.complete.bind(traffic);
    const completeCalls: number[] = [];
    traffic.complete = async (request) => {
      completeCalls.push(completeCalls.length + 1);
      if (completeCalls.length === 1) return traffic.shift({ ...request, percent: 100 });
      return realComplete(request);
    };
    const next = pipeline.repo.commit('two-phase completion', { 'NOTES.md': 'two\n' });

    // Act
    const run = await pipeline.start(next);
    const result = await pipeline.finish(run);

    // Assert
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const entered = await enteredStates(pipeline, run);
    expect(entered.filter((s) => s === 'CompleteCanary')).toHaveLength(2);
    expect(entered.filter((s) => s === 'WaitForCanaryCompletion')).toHaveLength(1);
    expect(entered.lastIndexOf('SmokeTest')).toBeGreaterThan(entered.lastIndexOf('CompleteCanary'));
    const prodPort = (pipeline.config.environments.find((e) => e.name === 'prod')!.deploy as { port: number })
      .port;
    expect((await servedRelease(prodPort)).version).not.toBe(good.output.release);
  });
});
