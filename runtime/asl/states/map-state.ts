import { ChildExecutions } from '../distributed/child-executions.js';
import { type MapJobs, runDistributedMap } from '../distributed/distributed-map-run.js';
import { batchItems, type ItemBatch } from '../distributed/item-batcher.js';
import { readItems } from '../distributed/item-reader.js';
import { StatesError, StatesErrorName } from '../errors/states-error.js';
import type { Frame } from '../frame/frame.js';
import type { ChildProgram, StatesBlock } from '../program/states-block.js';
import { evaluateJsonataTemplate } from '../query/jsonata-evaluator.js';
import { QueryLanguage } from '../query/query-language.js';
import { readDynamicField } from './dynamic-value.js';
import { ExecutionState } from './execution-state.js';
import { applyInputPath, applyTemplate, resolvePathWithContext } from './io-processing.js';
import { type IterationJob, outcomeOutputs, runIterations } from './map-iterations.js';
import { readPositiveSeconds } from './positive-seconds.js';
import { derivedRun, jsonataScope, type StateRun } from './state-run.js';
import { StoppableWork, unwindIfStopped } from './stoppable-work.js';

type ProcessorBlock = StatesBlock & { ProcessorConfig?: { Mode?: string } };

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
      return runDistributedMap(run, {
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
        mapStateName: this.name,
        writer: this.definition.ResultWriter as Readonly<Record<string, unknown>> | undefined,
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
    unwindIfStopped(run.frame.services.signal);
    if (work.timedOut) throw new StatesError(StatesErrorName.Timeout, undefined);
    if (failures > 0 && exceedsItems(failures)) {
      const firstFailure = outcomes.find((o) => o?.status === 'FAILED');
      if (firstFailure?.status === 'FAILED') throw firstFailure.error;
    }
    await recorder.add(run.frame.cursor, 'MapStateSucceeded', undefined, { updateSource: false });
    return outcomeOutputs(outcomes);
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

  protected override async publishFailed(run: StateRun): Promise<void> {
    await run.frame.services.recorder.add(run.frame.cursor, 'MapStateFailed');
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
    const itemRun = derivedRun(run, { frame });
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

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
