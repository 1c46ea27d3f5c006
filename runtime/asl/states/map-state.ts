import { ChildExecutions } from '../distributed/child-executions.js';
import { batchItems, type ItemBatch } from '../distributed/item-batcher.js';
import { readItems } from '../distributed/item-reader.js';
import { type MapRunProgress, MapRunStatus } from '../distributed/map-run.js';
import { writeResults } from '../distributed/result-writer.js';
import { StatesError, StatesErrorName, toStatesError } from '../errors/states-error.js';
import { Frame } from '../frame/frame.js';
import { HistoryCursor } from '../history/history-cursor.js';
import type { HistoryRecorder } from '../history/history-event.js';
import type { ChildProgram, ProgramOutcome, StatesBlock } from '../program/states-block.js';
import { evaluateJsonataTemplate } from '../query/jsonata-evaluator.js';
import { QueryLanguage } from '../query/query-language.js';
import { readDynamicField } from './dynamic-value.js';
import { ExecutionState } from './execution-state.js';
import { applyInputPath, applyTemplate, resolvePathWithContext } from './io-processing.js';
import { type IterationJob, runIterations } from './map-iterations.js';
import { readPositiveSeconds } from './positive-seconds.js';
import { jsonataScope, type StateRun } from './state-run.js';
import { isStateStop, StoppableWork } from './stoppable-work.js';

type ProcessorBlock = StatesBlock & { ProcessorConfig?: { Mode?: string } };

/** Child executions of a distributed map keep their own history, not the parent's. */
const detachedRecorder: HistoryRecorder = {
  add: async (cursor) => {
    cursor.lastPublishedEventId += 1;
    cursor.sourceEventId = cursor.lastPublishedEventId;
    return cursor.lastPublishedEventId;
  },
  // Not persisted, so never replayed: a restart runs a distributed map's children again.
  pending: () => [],
};

export class MapState extends ExecutionState {
  readonly type = 'Map';
  private readonly processor: ChildProgram;
  private readonly distributed: boolean;

  /** `processor` is the ItemProcessor (or Iterator) block, compiled by the enclosing program. */
  constructor(
    name: string,
    definition: Readonly<Record<string, unknown>>,
    [processor]: readonly ChildProgram[],
  ) {
    super(name, definition);
    const block = (definition.ItemProcessor ?? definition.Iterator) as ProcessorBlock;
    this.processor = processor;
    this.distributed = block.ProcessorConfig?.Mode === 'DISTRIBUTED';
  }

  protected async attempt(run: StateRun): Promise<unknown> {
    const { recorder, clock } = run.frame.services;
    const itemsInput =
      run.language === QueryLanguage.JSONata ? run.rawInput : applyInputPath(run, run.rawInput);
    const reader = this.definition.ItemReader as Readonly<Record<string, unknown>> | undefined;
    const items =
      this.distributed && reader ? await readItems(run, reader, itemsInput) : await this.items(run);
    const maxConcurrency = await this.integerField(run, 'MaxConcurrency', 0);
    const timeout = await readPositiveSeconds(run, 'TimeoutSeconds');
    const startedEventId = await recorder.add(run.frame.cursor, 'MapStateStarted', {
      mapStateStartedEventDetails: { length: items.length },
    });
    // AWS reads the tolerated-failure fields after MapStateStarted (the recorded order).
    const toleratedCount = await this.integerField(run, 'ToleratedFailureCount', 0);
    const toleratedPercent = await this.numberField(run, 'ToleratedFailurePercentage', 0);
    const jobs = await this.jobs(run, items, itemsInput);
    const exceedsItems = (failures: number) =>
      failures > toleratedCount && (items.length === 0 || (failures / items.length) * 100 > toleratedPercent);
    let children: ChildExecutions | undefined;
    let mapRunStartedEventId: number | undefined;
    let program = this.processor;
    if (this.distributed) {
      const mapRun = run.frame.services.startMapRun({
        label: typeof this.definition.Label === 'string' ? this.definition.Label : undefined,
        maxConcurrency,
        toleratedFailureCount: toleratedCount,
        toleratedFailurePercentage: toleratedPercent,
        totalItems: items.length,
        totalExecutions: jobs.list.length,
      });
      children = new ChildExecutions(mapRun, clock, (input) =>
        jobs.batched ? (input as ItemBatch).Items.length : 1,
      );
      program = children.program(this.processor);
      mapRunStartedEventId = await recorder.add(run.frame.cursor, 'MapRunStarted', {
        mapRunStartedEventDetails: { mapRunArn: mapRun.mapRunArn },
      });
      return this.runDistributed(run, {
        ...jobs,
        program,
        children,
        mapRun,
        mapRunStartedEventId,
        startedEventId,
        maxConcurrency,
        timeout,
        exceedsItems,
        itemsInput,
      });
    }
    const work = new StoppableWork(run.frame);
    work.armTimeout(clock, clock.now(), timeout);
    const { outcomes, failures } = await runIterations({
      parent: work.frame(run.frame),
      program,
      jobs: jobs.list,
      maxConcurrency,
      mapStateName: this.name,
      startedEventId,
      publishIterationEvents: true,
      shouldStop: exceedsItems,
      prepareFrame: jobs.prepare,
    }).finally(() => work.dispose());
    this.unwindIfStoppedFromOutside(run);
    if (work.timedOut) throw new StatesError(StatesErrorName.Timeout, undefined);
    if (failures > 0 && exceedsItems(failures)) {
      const firstFailure = outcomes.find((o) => o?.status === 'FAILED');
      if (firstFailure?.status === 'FAILED') throw firstFailure.error;
    }
    await recorder.add(run.frame.cursor, 'MapStateSucceeded', undefined, { updateSource: false });
    return outcomeOutputs(outcomes);
  }

  private async runDistributed(
    run: StateRun,
    d: MapJobs & {
      readonly program: ChildProgram;
      readonly children: ChildExecutions;
      readonly mapRun: MapRunProgress;
      readonly mapRunStartedEventId: number;
      readonly startedEventId: number;
      readonly maxConcurrency: number;
      readonly timeout: number | undefined;
      readonly exceedsItems: (failedItems: number) => boolean;
      readonly itemsInput: unknown;
    },
  ): Promise<unknown> {
    const { recorder, clock } = run.frame.services;
    const work = new StoppableWork(run.frame);
    work.armTimeout(clock, clock.now(), d.timeout);
    let outcomes: ProgramOutcome[];
    try {
      ({ outcomes } = await runIterations({
        parent: work.frame(this.detachedFrame(run)),
        program: d.program,
        jobs: d.list,
        maxConcurrency: d.maxConcurrency,
        mapStateName: this.name,
        startedEventId: d.startedEventId,
        publishIterationEvents: false,
        shouldStop: () => d.exceedsItems(d.children.failedItems),
        prepareFrame: d.prepare,
      }));
    } finally {
      work.dispose();
    }
    run.frame.cursor.integrate(new HistoryCursor(run.frame.cursor.sourceEventId));
    const fail = async (error: string, cause: string | undefined) => {
      d.mapRun.end(MapRunStatus.Failed);
      await recorder.add(run.frame.cursor, 'MapRunFailed', {
        mapRunFailedEventDetails: { error, ...(cause !== undefined ? { cause } : {}) },
      });
      return new StatesError(error, cause);
    };
    const outer = run.frame.services.signal;
    if (outer.aborted) d.mapRun.end(MapRunStatus.Aborted);
    this.unwindIfStoppedFromOutside(run);
    if (work.timedOut) throw await fail(StatesErrorName.Timeout, undefined);
    if (d.children.failedItems > 0 && d.exceedsItems(d.children.failedItems)) {
      throw await fail(
        StatesErrorName.ExceedToleratedFailureThreshold,
        'The specified tolerated failure threshold was exceeded',
      );
    }
    const writer = this.definition.ResultWriter as Readonly<Record<string, unknown>> | undefined;
    let output: unknown;
    try {
      output = writer
        ? await writeResults(run, writer, d.mapRun.mapRunArn, d.children.ended, d.itemsInput)
        : outcomeOutputs(outcomes);
    } catch (err) {
      const e = toStatesError(err);
      throw await fail(e.error, e.causeText);
    }
    d.mapRun.end(MapRunStatus.Succeeded);
    await recorder.add(run.frame.cursor, 'MapRunSucceeded');
    await recorder.add(run.frame.cursor, 'MapStateSucceeded', undefined, { updateSource: false });
    // AWS links a distributed Map's MapStateExited to its MapRunStarted (histories recorded since
    // late 2024; earlier ones linked it to MapRunSucceeded, see test/conformance).
    run.frame.cursor.sourceEventId = d.mapRunStartedEventId;
    return output;
  }

  /** The iterations to run: one per item, or (ItemBatcher) one per batch of selected items. */
  private async jobs(run: StateRun, items: readonly unknown[], itemsInput: unknown): Promise<MapJobs> {
    const batcher = this.definition.ItemBatcher as Readonly<Record<string, unknown>> | undefined;
    if (!this.distributed || batcher === undefined) {
      return {
        batched: false,
        list: items.map((input, index) => ({ index, input })),
        prepare: (frame, job) => this.itemInput(run, frame, job, itemsInput),
      };
    }
    // Each item is selected (ItemSelector, with its own $$.Map.Item) before it joins a batch.
    const selected: unknown[] = [];
    for (const [index, input] of items.entries()) {
      selected.push(await this.itemInput(run, run.frame.fork(), { index, input }, itemsInput));
    }
    const batches = await batchItems(run, batcher, selected, itemsInput);
    return {
      batched: true,
      list: batches.map((input, index) => ({ index, input })),
      prepare: async (_frame, job) => job.input,
    };
  }

  /** Stopped by the enclosing Parallel branch or Map: unwind further, recording nothing more. */
  private unwindIfStoppedFromOutside(run: StateRun): void {
    const outer = run.frame.services.signal;
    if (outer.aborted && isStateStop(outer.reason)) throw outer.reason;
  }

  protected override async publishFailed(run: StateRun): Promise<void> {
    await run.frame.services.recorder.add(run.frame.cursor, 'MapStateFailed');
  }

  private detachedFrame(run: StateRun): Frame {
    const services = { ...run.frame.services, recorder: detachedRecorder };
    return new Frame(services, new HistoryCursor(0), run.frame.variables, run.frame.context, run.language);
  }

  private async items(run: StateRun): Promise<unknown[]> {
    if (run.language === QueryLanguage.JSONata) {
      const def = this.definition.Items;
      if (def === undefined) {
        if (!Array.isArray(run.rawInput)) {
          throw new StatesError(
            StatesErrorName.QueryEvaluationError,
            `${run.prefix} Map state input must be an array but was: ${describe(run.rawInput)}`,
          );
        }
        return run.rawInput;
      }
      const value = Array.isArray(def)
        ? def
        : await evaluateJsonataTemplate(def, jsonataScope(run), 'Items', run.prefix);
      if (!Array.isArray(value)) {
        const expr = typeof def === 'string' ? def.replace(/^\{%\s*|\s*%\}$/g, '') : JSON.stringify(def);
        throw new StatesError(
          StatesErrorName.QueryEvaluationError,
          `${run.prefix} The JSONata expression '${expr}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '${describeType(value)}' for value: ${JSON.stringify(value)}`,
          'Items',
        );
      }
      return value;
    }
    const input = applyInputPath(run, run.rawInput);
    const itemsPath = this.definition.ItemsPath;
    const value = typeof itemsPath === 'string' ? resolvePathWithContext(run, itemsPath, input) : input;
    if (!Array.isArray(value)) {
      throw new StatesError(
        StatesErrorName.Runtime,
        `${run.prefix} Map state input must be an array but was: ${describe(value)}`,
      );
    }
    return value;
  }

  private async itemInput(
    run: StateRun,
    frame: Frame,
    job: IterationJob,
    itemsInput: unknown,
  ): Promise<unknown> {
    frame.context = { ...frame.context, Map: { Item: { Index: job.index, Value: job.input } } };
    const selector = this.definition.ItemSelector ?? this.definition.Parameters;
    if (selector === undefined) return job.input;
    const itemRun: StateRun = { ...run, frame };
    if (run.language === QueryLanguage.JSONata) {
      return evaluateJsonataTemplate(selector, jsonataScope(itemRun), 'ItemSelector', run.prefix);
    }
    return applyTemplate(itemRun, selector, itemsInput);
  }

  private async integerField(run: StateRun, field: string, fallback: number): Promise<number> {
    const read = await readDynamicField(run, field);
    if (!read.present) return fallback;
    const v = read.value;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      throw this.invalidNumber(run, field, read.fromPath, v, 'integer');
    return v;
  }

  private async numberField(run: StateRun, field: string, fallback: number): Promise<number> {
    const read = await readDynamicField(run, field);
    if (!read.present) return fallback;
    const v = read.value;
    if (typeof v !== 'number' || v < 0 || v > 100)
      throw this.invalidNumber(run, field, read.fromPath, v, 'number');
    return v;
  }

  private invalidNumber(
    run: StateRun,
    field: string,
    path: string | undefined,
    v: unknown,
    kind: string,
  ): StatesError {
    if (run.language === QueryLanguage.JSONata) {
      return new StatesError(
        StatesErrorName.QueryEvaluationError,
        `${run.prefix} The ${field} field refers to value ${JSON.stringify(v)} which is not a valid ${kind}`,
        field,
      );
    }
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return new StatesError(
      StatesErrorName.Runtime,
      `${run.prefix} The ${field}${path ? 'Path' : ''} field refers to value "${text}" which is not a valid ${kind}${path ? `: ${path}` : ''}`,
    );
  }
}

interface MapJobs {
  readonly batched: boolean;
  readonly list: readonly IterationJob[];
  readonly prepare: (frame: Frame, job: IterationJob) => Promise<unknown>;
}

function outcomeOutputs(outcomes: readonly ProgramOutcome[]): unknown[] {
  return outcomes.map((o) =>
    o?.status === 'SUCCEEDED'
      ? o.output
      : o?.status === 'FAILED'
        ? { Error: o.error.error, Cause: o.error.causeText }
        : null,
  );
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
