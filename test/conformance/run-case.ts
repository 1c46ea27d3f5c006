import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeEngineClock } from '../../runtime/engine/clock.js';
import { createEngine } from '../../runtime/engine/engine.js';
import { ObjectLambdaInvoker } from '../../runtime/engine/lambda/object-lambda-invoker.js';
import { MemoryStore } from '../../runtime/store/memory-store.js';
import { caseLambda } from './case-lambdas.js';
import type { SnapshotReplacement } from './history-normaliser.js';

// The recorded AWS executions are vendored under test/conformance/recorded (Apache-2.0, with their
// LICENSE and NOTICE), so a fresh clone tests against them with nothing beside it.
export const CONFORMANCE_DIR =
  process.env.TOLLGATE_CONFORMANCE_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), 'recorded');
export const ROLE_ARN = 'arn:aws:iam::111111111111:role/conformance-role';

export interface CaseMeta {
  readonly name: string;
  readonly path: string;
  readonly history_compare: 'exact' | 'result_and_multiset';
  readonly lambdas: ReadonlyArray<{ function_name_in_definition: string; source: string }>;
  readonly extra_snapshot_replacements: ReadonlyArray<SnapshotReplacement>;
  /** `dd-mm-yyyy, HH:MM:SS` (UTC), when the snapshot was recorded against AWS. */
  readonly recorded_date: string;
}

export interface CaseRun {
  readonly events: Array<Record<string, unknown>>;
  readonly describe: Record<string, unknown>;
  readonly stateMachineName: string;
  readonly executionName: string;
}

/** Lets queued promise callbacks and store appends run before the clock is moved. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/**
 * Runs one recorded case through the API exactly as the README's harness says: create, start,
 * wait for a terminal status (moving the fake clock when nothing else can happen), read history.
 */
/** `durable`: the engine over a store (MemoryStore: the durable code path without a disk); `memory`: no store. */
export type EngineMode = 'durable' | 'memory';

export async function runCase(meta: CaseMeta, index: number, mode: EngineMode = 'durable'): Promise<CaseRun> {
  const dir = join(CONFORMANCE_DIR, meta.path);
  const definition = await readFile(join(dir, 'definition.asl.json'), 'utf8');
  const input = await readFile(join(dir, 'input.json'), 'utf8');
  const clock = new FakeEngineClock('2026-03-01T10:00:00.000Z');
  const handlers = Object.fromEntries(
    meta.lambdas.map((l) => [l.function_name_in_definition, caseLambda(l.source, clock)]),
  );
  const engine = createEngine({
    store: mode === 'durable' ? new MemoryStore() : undefined,
    clock,
    lambda: new ObjectLambdaInvoker(handlers),
    region: 'us-east-1',
    accountId: '111111111111',
  });
  await engine.start();
  const { service } = engine;
  // No separators: some cases split these names on '-' or ':'.
  const stateMachineName = `ConformanceSm${index}`;
  const executionName = `ConformanceExec${index}`;
  const { stateMachineArn } = (await service.dispatch('CreateStateMachine', {
    name: stateMachineName,
    definition,
    roleArn: ROLE_ARN,
    type: 'STANDARD',
  })) as { stateMachineArn: string };
  const { executionArn } = (await service.dispatch('StartExecution', {
    stateMachineArn,
    name: executionName,
    input,
  })) as { executionArn: string };
  let describe: Record<string, unknown> = {};
  for (let guard = 0; guard < 10_000; guard++) {
    await settle();
    describe = (await service.dispatch('DescribeExecution', { executionArn })) as Record<string, unknown>;
    if (describe.status !== 'RUNNING') break;
    const next = clock.nextTimerAt();
    if (next === undefined) throw new Error(`${meta.name}: execution is stuck with no pending timer`);
    clock.advanceTo(next);
  }
  const events: Array<Record<string, unknown>> = [];
  let nextToken: string | undefined;
  do {
    const page = (await service.dispatch('GetExecutionHistory', {
      executionArn,
      maxResults: 1000,
      ...(nextToken ? { nextToken } : {}),
    })) as { events: Array<Record<string, unknown>>; nextToken?: string };
    events.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken);
  await engine.close();
  return { events, describe, stateMachineName, executionName };
}
