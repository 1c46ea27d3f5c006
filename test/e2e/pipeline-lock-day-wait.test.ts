import { afterEach, describe, expect, it } from 'vitest';
import { createHandler as approveHandler } from '../../functions/approve/handler.js';
import type { GuardState } from '../../functions/concurrency-guard/guard-state.js';
import { createLocalPipeline, type LocalPipeline } from '../support/local-pipeline.js';

/** Step Functions keeps at most this many events in one execution's history. */
const HISTORY_LIMIT = 25_000;
const HOUR = 3_600_000;

let pipeline: LocalPipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

interface HistoryEvent {
  readonly id: number;
  readonly type: string;
  readonly stateEnteredEventDetails?: { readonly name: string };
}

async function historyOf(p: LocalPipeline, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await p.call('GetExecutionHistory', { executionArn, maxResults: 1000, nextToken });
    events.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

const entered = (events: HistoryEvent[]) =>
  events.filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails!.name);

const pause = () => new Promise((r) => setTimeout(r, 20));

/** Drives a run through its Wait states (deploy polls) until it waits at an approval gate. */
async function untilGate(p: LocalPipeline, executionArn: string): Promise<string> {
  for (let i = 0; i < 3_000; i++) {
    const [pending] = await p.runner.ports.approvals.listPending({ executionArn });
    if (pending) return pending.id;
    const [last] = (await p.call('GetExecutionHistory', { executionArn, reverseOrder: true, maxResults: 1 }))
      .events;
    const next = p.clock.nextTimerAt();
    if (last?.type === 'WaitStateEntered' && next !== undefined && next - p.clock.now() <= HOUR)
      p.clock.advanceTo(next);
    else await pause();
  }
  throw new Error(`${executionArn} never reached its approval gate`);
}

/** Until the run sleeps on its WaitForLock token with a history newer than `after`. */
async function untilSleeping(p: LocalPipeline, executionArn: string, after: number): Promise<number> {
  for (let i = 0; i < 3_000; i++) {
    const [last] = (await p.call('GetExecutionHistory', { executionArn, reverseOrder: true, maxResults: 1 }))
      .events as HistoryEvent[];
    if (last && last.id > after && last.type === 'TaskSubmitted') {
      const events = await historyOf(p, executionArn);
      if (entered(events).at(-1) === 'WaitForLock') return last.id;
    }
    await pause();
  }
  throw new Error(`${executionArn} never went to sleep on the lock`);
}

const holderOf = async (p: LocalPipeline) =>
  (await p.runner.ports.locks.get<GuardState>(`guard-${p.config.name}`))?.value.holder?.executionArn;

describe('a queued run waiting a full day on the local engine', () => {
  it('sleeps on a task token for 24 h at a few dozen history events while the run at the approval gate keeps the lock, and is woken when that run ends', async () => {
    // Arrange: run A waits at prod's gate, holding the lock; run B queues behind it. The lease and
    // pollInterval are the defaults (6 h); gate and maxWait are long enough for a full day.
    pipeline = await createLocalPipeline({
      approval: true,
      approvalTimeout: '30h',
      concurrency: { mode: 'queued', maxWait: '30h' },
    });
    const p = pipeline;
    const first = await p.start(p.repo.commit('first', { 'A.md': 'a\n' }));
    const approvalId = await untilGate(p, first);
    const gateAt = p.clock.now();
    const second = await p.start(p.repo.commit('second', { 'B.md': 'b\n' }));
    let seen = await untilSleeping(p, second, 0);

    // Act: a full day passes through the clock port, one timer at a time. B's only timers are its
    // own looks at the lock; A's is its approval timeout, 30 h away.
    const dayLater = gateAt + 24 * HOUR + 60_000;
    const holders = new Set<string | undefined>();
    let looks = 0;
    for (
      let next = p.clock.nextTimerAt();
      next !== undefined && next <= dayLater;
      next = p.clock.nextTimerAt()
    ) {
      p.clock.advanceTo(next);
      looks++;
      seen = await untilSleeping(p, second, seen);
      holders.add(await holderOf(p));
    }
    p.clock.advanceTo(dayLater);
    const waited = await historyOf(p, second);
    const firstState = await p.call('DescribeExecution', { executionArn: first });

    // Assert: B's history stayed tiny, and A held the lock at every look: B never built or deployed.
    expect(p.clock.now() - gateAt).toBeGreaterThan(24 * HOUR);
    expect(looks).toBe(4); // B looked by itself every 6 h (pollInterval), and was told to wait on
    console.info(`history of the run that waited 24 h: ${waited.length} events`);
    expect(waited.length).toBeLessThan(100);
    expect(waited.length).toBeLessThan(HISTORY_LIMIT / 100);
    expect(new Set(entered(waited))).toEqual(
      new Set([
        'Normalize',
        'ValidateEvent',
        'PlanRun',
        'PlanDecision',
        'AcquireLock',
        'LockDecision',
        'WaitForLock',
        'CheckLock',
      ]),
    );
    expect([...holders]).toEqual([first]);
    expect(firstState.status).toBe('RUNNING');
    expect(await holderOf(p)).toBe(first);

    // Act: A is approved, deploys to prod and releases the lock, which wakes B at once.
    await approveHandler(async () => p.runner.ports)({
      approvalId,
      decision: 'approve',
      comment: 'ok',
      caller: 'ana',
    });
    const firstResult = await p.finish(first);
    for (let i = 0; i < 1_000 && !entered(await historyOf(p, second)).includes('Build'); i++) await pause();
    const woken = await historyOf(p, second);

    // Assert
    expect(firstResult.status).toBe('SUCCEEDED');
    expect(entered(woken)).toContain('Build');
    expect(await holderOf(p)).toBe(second);
    expect(woken.length).toBeLessThan(100);
  }, 180_000);
});
