import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import type { StoreRecord } from '../../../../runtime/store/engine-store.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';
import { EngineHarness } from './engine-harness.js';

// Both logs were written by the engine as it was before its records were typed (commit 8220d9a):
// every record kind (sm, sm-update, sm-del, exec, ev with threads, evs, ckpt, exec-status, redrive,
// token, token-done), from a scenario with a finished, a failed-and-redriven, a stopped, an
// approved and two still-waiting executions (one inside a Map). The second is what that engine
// wrote when it compacted the first after a restart. An existing data directory holds such logs.
const FIXTURES = join(import.meta.dirname, 'fixtures');
const AFTER_WRITING = Date.parse('2026-01-01T00:00:01.000Z');
const ARN = 'arn:aws:states:us-east-1:123456789012';
const exec = (flow: string, name: string) => `${ARN}:execution:${flow}:${name}`;

async function readLog(name: string): Promise<StoreRecord[]> {
  const text = await readFile(join(FIXTURES, name), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as StoreRecord);
}

async function engineOn(records: StoreRecord[]): Promise<{ harness: EngineHarness; store: MemoryStore }> {
  const store = new MemoryStore();
  await store.append(records);
  const harness = new EngineHarness({
    store,
    clock: new FakeEngineClock(AFTER_WRITING),
    handlers: { notify: async () => ({}) },
  });
  await harness.engine.start();
  await harness.settle();
  return { harness, store };
}

async function logOf(store: MemoryStore): Promise<StoreRecord[]> {
  const out: StoreRecord[] = [];
  for await (const record of store.replay()) out.push(record);
  return out;
}

describe('engine log format', () => {
  it('recovers every execution and state machine from a log written before records were typed', async () => {
    // Arrange
    const records = await readLog('log-before-typed-records.jsonl');

    // Act
    const { harness } = await engineOn(records);

    // Assert
    const listed = await harness.call<{ stateMachines: Array<{ name: string }> }>('ListStateMachines', {});
    expect(listed.stateMachines.map((s) => s.name)).toEqual([
      'fail-flow',
      'map-flow',
      'ok-flow',
      'token-flow',
    ]);
    const ok = await harness.call<{ definition: string }>('DescribeStateMachine', {
      stateMachineArn: `${ARN}:stateMachine:ok-flow`,
    });
    expect(JSON.parse(ok.definition).Comment).toBe('v2');
    expect(await harness.describe(exec('ok-flow', 'ok-1'))).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"doubled":42}',
    });
    expect(await harness.describe(exec('fail-flow', 'fail-1'))).toMatchObject({
      status: 'FAILED',
      error: 'Boom',
      redriveCount: 1,
    });
    expect(await harness.describe(exec('token-flow', 'stopped'))).toMatchObject({
      status: 'ABORTED',
      error: 'Halt',
      cause: 'by hand',
    });
    expect(await harness.describe(exec('token-flow', 'approved'))).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"ok":true}',
    });
    const waiting = exec('token-flow', 'waiting');
    expect(await harness.describe(waiting)).toMatchObject({ status: 'RUNNING' });
    await harness.call('SendTaskSuccess', { taskToken: await harness.tokenOf(waiting), output: '"yes"' });
    expect(await harness.until(waiting, 'SUCCEEDED')).toMatchObject({ output: '"yes"' });
    const map = exec('map-flow', 'map-1');
    const mapHistory = await harness.history(map);
    expect(mapHistory.filter((e) => e.type === 'TaskSubmitted')).toHaveLength(2);
    expect(await harness.describe(map)).toMatchObject({ status: 'RUNNING' });
  });

  it('compacts a recovered old log into exactly the records the engine of that time wrote, executions on a current version naming it', async () => {
    // Arrange
    const records = await readLog('log-before-typed-records.jsonl');
    const expected = namingCurrentVersions(await readLog('log-before-typed-records.compacted.jsonl'));
    const { harness, store } = await engineOn(records);

    // Act
    await harness.engine.compact();

    // Assert
    expect(await logOf(store)).toEqual(expected);
  });
});

/**
 * The one change since that engine: an execution on its state machine's current version names
 * the version (`rev`) instead of repeating the definition (see engineRecord.executionStarted).
 */
function namingCurrentVersions(records: StoreRecord[]): StoreRecord[] {
  const current = new Map<string, { definition: string; revisionId: string }>();
  return records.map((r) => {
    if (r.t === 'sm') current.set(r.arn as string, r.current as { definition: string; revisionId: string });
    const version = r.t === 'exec' ? current.get(r.sm as string) : undefined;
    if (version === undefined || version.definition !== r.definition) return r;
    const { definition: _named, ...rest } = r;
    return { ...rest, rev: version.revisionId };
  });
}
