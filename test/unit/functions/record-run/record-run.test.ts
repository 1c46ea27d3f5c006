import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordRun } from '../../../../functions/record-run/record-run.js';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import { ManualClock } from '../../../../functions/shared/clock.js';

const commit = {
  repository: 'orders-service',
  branch: 'main',
  commit: 'c'.repeat(40),
  parents: [],
  author: { name: 'dev', email: 'dev@example.test' },
  message: 'change',
  timestamp: '2026-01-01T00:00:00Z',
};

describe('recordRun', () => {
  it('writes one run-summary per run however often the task is re-invoked', async () => {
    // Arrange
    const ledger = new DirLedger(mkdtempSync(join(tmpdir(), 'tollgate-ledger-')));
    const input = {
      executionArn: 'arn:run:1',
      stateName: 'RecordFailure',
      pipeline: 'orders',
      status: 'FAILED' as const,
      commit,
      release: { version: 'r1-ccccccc', digest: `sha256:${'0'.repeat(64)}` },
      failure: {
        stage: 'smoke-test',
        environment: 'staging',
        error: 'Tollgate.SmokeTestFailed',
        cause: 'health 500',
      },
    };
    // Act
    await recordRun(input, { ledger, clock: new ManualClock() });
    const again = await recordRun(input, { ledger, clock: new ManualClock() });
    // Assert
    const entries = await ledger.query({ executionArn: 'arn:run:1' });
    expect(again.created).toBe(false);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      kind: 'run-summary',
      environment: 'staging',
      releaseVersion: 'r1-ccccccc',
      data: { status: 'FAILED', failure: { stage: 'smoke-test' } },
    });
  });

  it('records a skipped run as run-skipped with its reason', async () => {
    const ledger = new DirLedger(mkdtempSync(join(tmpdir(), 'tollgate-ledger-')));
    await recordRun(
      {
        executionArn: 'arn:run:2',
        stateName: 'RecordSkip',
        pipeline: 'orders',
        status: 'SKIPPED',
        commit,
        skip: { reason: 'superseded', detail: 'commit ddddddd arrived' },
      },
      { ledger, clock: new ManualClock() },
    );
    expect(await ledger.query({ kinds: ['run-skipped'] })).toMatchObject([
      { data: { skip: { reason: 'superseded' } } },
    ]);
  });
});
