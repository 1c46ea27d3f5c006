import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGuard } from '../../../../functions/concurrency-guard/concurrency-guard.js';
import type { GuardState, Waiter } from '../../../../functions/concurrency-guard/guard-state.js';
import { createHandler } from '../../../../functions/release-ended-run/handler.js';
import { FileLockTable } from '../../../../functions/shared/adapters/local/file-lock-table.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import { burstCommit } from '../../../support/guard-burst.js';
import { GuardTokens } from '../../../support/guard-tokens.js';

const arn = (n: number) => `arn:aws:states:eu-west-1:111122223333:execution:orders-pipeline:run-${n}`;

/** The event Step Functions puts on the default bus, as the run-end rule delivers it. */
const statusChange = (executionArn: string, status: string) => ({
  version: '0',
  id: 'e2b0f1c4-0000-0000-0000-000000000000',
  'detail-type': 'Step Functions Execution Status Change',
  source: 'aws.states',
  account: '111122223333',
  time: '2026-01-01T00:10:00Z',
  region: 'eu-west-1',
  resources: [executionArn],
  detail: {
    executionArn,
    stateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:orders-pipeline',
    name: executionArn.split(':').pop(),
    status,
    startDate: 1767225600000,
    stopDate: 1767226200000,
    input: '{}',
    output: null,
  },
});

async function setup() {
  const locks = new FileLockTable(mkdtempSync(join(tmpdir(), 'tollgate-run-end-')));
  const clock = new ManualClock();
  const config = {
    name: 'orders',
    concurrency: { mode: 'queued' as const, lease: 21_600, maxWait: 86_400, pollInterval: 3_600 },
  };
  const tokens = new GuardTokens();
  const ports = { locks, clock, config, callback: tokens };
  const started = (n: number) => new Date(clock.now().getTime() - 10_000 + n).toISOString();
  for (const n of [1, 2]) {
    await runGuard(
      {
        action: 'acquire',
        executionArn: arn(n),
        pipeline: 'orders',
        commit: burstCommit(n),
        startedAt: started(n),
      },
      ports,
    );
  }
  // Run 2 sleeps on its WaitForLock token.
  await runGuard(
    {
      action: 'wait',
      executionArn: arn(2),
      pipeline: 'orders',
      commit: burstCommit(2),
      startedAt: started(2),
      taskToken: tokens.issue(arn(2)),
    },
    ports,
  );
  // Only the ports the function uses: the lock table, the clock, the config and the task callback.
  const handler = createHandler(async () => ports as unknown as TollgatePorts);
  const lock = async () => (await locks.get<GuardState>('guard-orders'))?.value;
  const queue = async () => (await locks.list<Waiter>('guard-orders.w.')).map((w) => w.value.executionArn);
  const state = async () => ({ lock: await lock(), queue: await queue() });
  return { handler, state, tokens };
}

describe('release-ended-run', () => {
  it('releases the lock of a run that was stopped and wakes the next run, which holds it at once', async () => {
    // Arrange
    const { handler, state, tokens } = await setup();
    // Act
    const result = await handler(statusChange(arn(1), 'ABORTED'));
    // Assert
    expect(result).toEqual({ status: 'RELEASED' });
    expect((await state()).lock?.holder?.executionArn).toBe(arn(2));
    expect((await state()).queue).toEqual([]);
    expect(tokens.answered(arn(2))).toEqual({ status: 'ACQUIRED' });
  });

  it('takes a run that timed out while queued out of the queue', async () => {
    // Arrange
    const { handler, state } = await setup();
    // Act
    const result = await handler(statusChange(arn(2), 'TIMED_OUT'));
    // Assert
    expect(result).toEqual({ status: 'NOT_HOLDER' });
    expect((await state()).lock?.holder?.executionArn).toBe(arn(1));
    expect((await state()).queue).toEqual([]);
  });

  it('answers NOT_HOLDER and changes nothing for a failed run that already released its lock', async () => {
    // Arrange
    const { handler, state } = await setup();
    await handler(statusChange(arn(1), 'FAILED'));
    const before = await state();
    // Act
    const again = await handler(statusChange(arn(1), 'FAILED'));
    // Assert
    expect(again).toEqual({ status: 'NOT_HOLDER' });
    expect(await state()).toEqual(before);
  });

  it('refuses a status the rule never sends, or an event that is not a status change, in one line, changing nothing', async () => {
    // Arrange
    const { handler, state } = await setup();
    const before = await state();
    // Act
    const succeeded = handler(statusChange(arn(1), 'SUCCEEDED'));
    await expect(succeeded).rejects.toThrow(/^release-ended-run: invalid input: detail\.status: /);
    const other = handler({ ...statusChange(arn(1), 'ABORTED'), source: 'tollgate.git' });
    await expect(other).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
    // Assert
    expect(await state()).toEqual(before);
  });
});
