import { StatesError, StatesErrorName } from '../errors/states-error.js';
import { Frame } from '../frame/frame.js';
import { HistoryCursor } from '../history/history-cursor.js';
import type { HistoryRecorder } from '../history/history-event.js';
import type { ChildProgram, StatesBlock } from '../program/states-block.js';
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
    const { recorder } = run.frame.services;
    const items = await this.items(run);
    const maxConcurrency = await this.integerField(run, 'MaxConcurrency', 0);
    const timeout = await readPositiveSeconds(run, 'TimeoutSeconds');
    const startedEventId = await recorder.add(run.frame.cursor, 'MapStateStarted', {
      mapStateStartedEventDetails: { length: items.length },
    });
    // AWS reads the tolerated-failure fields after MapStateStarted (the recorded order).
    const toleratedCount = await this.integerField(run, 'ToleratedFailureCount', 0);
    const toleratedPercent = await this.numberField(run, 'ToleratedFailurePercentage', 0);
    let mapRunStartedEventId: number | undefined;
    if (this.distributed) {
      mapRunStartedEventId = await recorder.add(run.frame.cursor, 'MapRunStarted', {
        mapRunStartedEventDetails: {
          mapRunArn: run.frame.services.newMapRunArn(
            typeof this.definition.Label === 'string' ? this.definition.Label : undefined,
          ),
        },
      });
    }
    const exceeds = (failures: number) =>
      failures > toleratedCount && (items.length === 0 || (failures / items.length) * 100 > toleratedPercent);
    const itemsInput =
      run.language === QueryLanguage.JSONata ? run.rawInput : applyInputPath(run, run.rawInput);
    const work = new StoppableWork(run.frame);
    work.armTimeout(run.frame.services.clock, run.frame.services.clock.now(), timeout);
    const parent = work.frame(this.distributed ? this.detachedFrame(run) : run.frame);
    const { outcomes, failures } = await runIterations({
      parent,
      program: this.processor,
      jobs: items.map((input, index) => ({ index, input })),
      maxConcurrency,
      mapStateName: this.name,
      startedEventId,
      publishIterationEvents: !this.distributed,
      shouldStop: exceeds,
      prepareFrame: (frame, job) => this.itemInput(run, frame, job, itemsInput),
    }).finally(() => work.dispose());
    // Stopped from outside (the enclosing branch or Map): unwind further.
    const outer = run.frame.services.signal;
    if (outer.aborted && isStateStop(outer.reason)) throw outer.reason;
    if (work.timedOut) {
      if (this.distributed) run.frame.cursor.integrate(new HistoryCursor(run.frame.cursor.sourceEventId));
      if (this.distributed) {
        await recorder.add(run.frame.cursor, 'MapRunFailed', {
          mapRunFailedEventDetails: { error: StatesErrorName.Timeout },
        });
      }
      throw new StatesError(StatesErrorName.Timeout, undefined);
    }
    if (this.distributed) run.frame.cursor.integrate(new HistoryCursor(run.frame.cursor.sourceEventId));
    if (failures > 0 && exceeds(failures)) {
      const firstFailure = outcomes.find((o) => o?.status === 'FAILED');
      if (this.distributed) {
        await recorder.add(run.frame.cursor, 'MapRunFailed', {
          mapRunFailedEventDetails: {
            error: StatesErrorName.ExceedToleratedFailureThreshold,
            cause: 'The specified tolerated failure threshold was exceeded',
          },
        });
        throw new StatesError(
          StatesErrorName.ExceedToleratedFailureThreshold,
          'The specified tolerated failure threshold was exceeded',
        );
      }
      if (firstFailure?.status === 'FAILED') throw firstFailure.error;
    }
    if (this.distributed) await recorder.add(run.frame.cursor, 'MapRunSucceeded');
    await recorder.add(run.frame.cursor, 'MapStateSucceeded', undefined, { updateSource: false });
    // AWS links a distributed Map's MapStateExited to its MapRunStarted (histories recorded since
    // late 2024; earlier ones linked it to MapRunSucceeded, see test/conformance).
    if (mapRunStartedEventId !== undefined) run.frame.cursor.sourceEventId = mapRunStartedEventId;
    return outcomes.map((o) =>
      o?.status === 'SUCCEEDED'
        ? o.output
        : o?.status === 'FAILED'
          ? { Error: o.error.error, Cause: o.error.causeText }
          : null,
    );
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

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
