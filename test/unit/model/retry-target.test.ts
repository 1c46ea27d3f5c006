import { describe, expect, it } from 'vitest';
import { retryTarget } from '../../../model/retry-target.js';
import type { ExecutionFacts, StageView, Timeline } from '../../../model/run-timeline.js';

const stage = (
  name: string,
  status: StageView['status'],
  evidence: StageView['evidence'] = [],
): StageView => ({
  stage: name,
  states: [],
  status,
  startedAt: 0,
  endedAt: 1,
  durationMs: 1,
  attempts: 1,
  evidence,
  error: null,
});

const timeline = (
  status: ExecutionFacts['status'],
  before: StageView[],
  environments: Array<[string, StageView[]]> = [],
): Timeline => ({
  before,
  environments: environments.map(([name, stages], index) => ({
    name,
    index,
    status: stages.at(-1)?.status ?? 'succeeded',
    startedAt: 0,
    endedAt: 1,
    durationMs: 1,
    stages,
  })),
  after: [],
  stateStatus: {},
  eventCount: 0,
  execution: { status, startedAt: 0, stoppedAt: 1, commit: null, output: null, error: null, cause: null },
});

const ENVS = ['test', 'staging', 'prod'];
const registered = stage('register', 'succeeded', [{ kind: 'release', version: 'r3-abcdef0', digest: null }]);

describe('retryTarget', () => {
  it('picks a failed run up with its release in the environment it failed in', () => {
    // Act
    const target = retryTarget(
      'run-1',
      timeline(
        'FAILED',
        [stage('build', 'succeeded'), registered],
        [
          ['test', [stage('deploy', 'succeeded')]],
          ['staging', [stage('smoke-test', 'failed')]],
        ],
      ),
      ENVS,
    );
    // Assert
    expect(target).toEqual({ retry: true, release: 'r3-abcdef0', environment: 'staging' });
  });

  it('picks an aborted run up in the last environment it entered, and one stopped before any at the first', () => {
    // Act
    const aborted = retryTarget(
      'run-2',
      timeline(
        'ABORTED',
        [registered],
        [
          ['test', [stage('deploy', 'succeeded')]],
          ['prod', [stage('approval', 'interrupted')]],
        ],
      ),
      ENVS,
    );
    const early = retryTarget('run-3', timeline('TIMED_OUT', [registered]), ENVS);
    // Assert
    expect(aborted).toEqual({ retry: true, release: 'r3-abcdef0', environment: 'prod' });
    expect(early).toEqual({ retry: true, release: 'r3-abcdef0', environment: 'test' });
  });

  it('refuses a running or succeeded run, and a run that ended before registering a release', () => {
    // Act
    const refusals = [
      retryTarget('run-4', timeline('RUNNING', [registered]), ENVS),
      retryTarget('run-5', timeline('SUCCEEDED', [registered]), ENVS),
      retryTarget('run-6', timeline('FAILED', [stage('build', 'failed')]), ENVS),
    ];
    // Assert
    expect(refusals).toEqual([
      {
        retry: false,
        reason: 'run run-4 is RUNNING; only a failed, timed-out or aborted run can be retried',
      },
      {
        retry: false,
        reason: 'run run-5 is SUCCEEDED; only a failed, timed-out or aborted run can be retried',
      },
      {
        retry: false,
        reason:
          'run run-6 ended before it registered a release, so there is nothing to retry; push the commit again to build it',
      },
    ]);
  });
});
