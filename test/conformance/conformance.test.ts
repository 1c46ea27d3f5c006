import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canonical,
  dropLambdaTraces,
  HistoryNormaliser,
  sortKeys,
  stripReplacementBrackets,
  unifyVolatile,
} from './history-normaliser.js';
import { type CaseMeta, CONFORMANCE_DIR, ROLE_ARN, runCase } from './run-case.js';

const index = JSON.parse(readFileSync(join(CONFORMANCE_DIR, 'index.json'), 'utf8')) as { cases: CaseMeta[] };

/**
 * Cases whose recorded history we do not match event for event, with the argument. For these the
 * final result (expected.result.json) is still compared exactly.
 */
const KNOWN_DEVIATIONS: Readonly<Record<string, string>> = {
  scenarios__base_scenarios__parallel_state_nested:
    "The README says LocalStack's SfnNoneRecursiveParallelTransformer mangled this nested case further: " +
    "the recording lacks the inner ParallelStateL2's ParallelStateExited, which AWS always publishes when " +
    'a Parallel state succeeds (see the outer ParallelStateExited in the same recording). We publish it.',
};

/**
 * AWS changed how a distributed Map's MapStateExited links back: histories recorded before
 * December 2024 link it to MapRunSucceeded, the one recorded since (map_state_nested_config_distributed,
 * 2024-12-13) to MapRunStarted. The engine follows AWS as it behaves today; an older recording is
 * compared after relinking that one field, so every other field of it still compares exactly.
 */
const MAP_EXIT_LINK_CHANGED = Date.UTC(2024, 11, 1);

function asRecordedToday(meta: CaseMeta, events: Event[]): Event[] {
  const [day, month, year] = meta.recorded_date.split(',')[0].split('-').map(Number);
  if (Date.UTC(year, month - 1, day) >= MAP_EXIT_LINK_CHANGED) return events;
  const byId = new Map(events.map((e) => [e.id, e]));
  let mapRunStarted: unknown;
  return events.map((e) => {
    if (e.type === 'MapRunStarted') mapRunStarted = e.id;
    const linksToRunEnd = byId.get(e.previousEventId)?.type === 'MapRunSucceeded';
    return e.type === 'MapStateExited' && linksToRunEnd ? { ...e, previousEventId: mapRunStarted } : e;
  });
}

type Event = Record<string, unknown>;

function prepare(value: unknown, names: readonly string[]): unknown {
  return canonical(unifyVolatile(stripReplacementBrackets(dropLambdaTraces(value), names)));
}

function expectedFile(meta: CaseMeta, file: string): unknown {
  return JSON.parse(readFileSync(join(CONFORMANCE_DIR, meta.path, file), 'utf8'));
}

// History must be AWS-exact in both modes: they differ in what is written, never in what is recorded.
describe.each(['durable', 'memory'] as const)('conformance (recorded AWS executions, %s mode)', (mode) => {
  let passed = 0;
  let deviations = 0;
  afterAll(() => {
    console.log(
      `conformance (${mode} mode): ${passed}/${index.cases.length} recorded cases pass ` +
        `(${passed - deviations} full history, ${deviations} result only as listed known deviations)`,
    );
  });

  index.cases.forEach((meta, i) => {
    const deviation = KNOWN_DEVIATIONS[meta.name];
    const title =
      deviation === undefined ? 'matches the recorded history of' : 'matches the recorded result of';
    it(`${title} ${meta.name}`, async () => {
      // Arrange
      const names = meta.extra_snapshot_replacements.flatMap((r) => ('to' in r ? [r.to] : []));
      const expectedHistory = asRecordedToday(
        meta,
        (expectedFile(meta, 'expected.history.json') as { events: Event[] }).events,
      );
      const expectedResult = expectedFile(meta, 'expected.result.json') as Record<string, unknown>;

      // Act
      const run = await runCase(meta, i, mode);
      const normaliser = new HistoryNormaliser({
        stateMachineName: run.stateMachineName,
        executionName: run.executionName,
        roleArn: ROLE_ARN,
        replacements: meta.extra_snapshot_replacements,
      });
      const actual = normaliser.normalise(normaliser.decode(run.events)) as Event[];
      const actualResult = normaliser.normalise(
        normaliser.decode(
          run.describe.status === 'SUCCEEDED'
            ? { status: run.describe.status, output: run.describe.output }
            : {
                status: run.describe.status,
                error: run.describe.error ?? null,
                cause: run.describe.cause ?? null,
              },
        ),
      );

      // Assert
      expect(prepare(actualResult, names)).toEqual(prepare(expectedResult, names));
      if (deviation !== undefined) {
        deviations += 1;
      } else if (meta.history_compare === 'exact') {
        expect(prepare(actual, names)).toEqual(prepare(expectedHistory, names));
      } else {
        compareParallelMultiset(actual, expectedHistory, names);
      }
      passed += 1;
    });
  });
});

/**
 * README rule 4: events outside the Parallel block compare exactly; events inside it (id `[0]`)
 * compare as a multiset without ids; the Parallel*Succeeded/Failed event the transformer dropped is
 * ignored.
 */
function compareParallelMultiset(actual: Event[], expected: Event[], names: readonly string[]): void {
  const outsideIds = new Set(expected.filter((e) => typeof e.id === 'number').map((e) => e.id));
  const dropped = new Set(['ParallelStateSucceeded', 'ParallelStateFailed']);
  const outsideActual = actual.filter((e) => outsideIds.has(e.id as number));
  const outsideExpected = expected.filter((e) => typeof e.id === 'number');
  expect(prepare(outsideActual, names)).toEqual(prepare(outsideExpected, names));
  const strip = (e: Event) => {
    const { id: _id, previousEventId: _p, ...rest } = e;
    return JSON.stringify(sortKeys(prepare(rest, names)));
  };
  const inside = (list: Event[]) =>
    list
      .filter((e) => !dropped.has(e.type as string))
      .map(strip)
      .sort();
  expect(inside(actual.filter((e) => !outsideIds.has(e.id as number)))).toEqual(
    inside(expected.filter((e) => typeof e.id !== 'number')),
  );
}
