import { StatesError, StatesErrorName } from '../errors/states-error.js';
import { payloadBytes, toPayloadText } from '../payload-text.js';
import { evaluateJsonataTemplate } from '../query/jsonata-evaluator.js';
import { QueryLanguage } from '../query/query-language.js';
import { readDynamicField } from '../states/dynamic-value.js';
import { applyTemplate } from '../states/io-processing.js';
import { derivedRun, jsonataScope, type StateRun } from '../states/state-run.js';

/** One child workflow's input under ItemBatcher: `{"BatchInput": …, "Items": [...]}`. */
export interface ItemBatch {
  readonly BatchInput?: unknown;
  readonly Items: unknown[];
}

/**
 * Groups a distributed Map's (already selected) items as its ItemBatcher says: at most
 * MaxItemsPerBatch items and MaxInputBytesPerBatch bytes of child input per batch, each batch
 * carrying BatchInput. An item too large for a batch on its own fails the Map, as it could never
 * be sent.
 */
export async function batchItems(
  run: StateRun,
  batcher: Readonly<Record<string, unknown>>,
  items: readonly unknown[],
  stateInput: unknown,
): Promise<ItemBatch[]> {
  const batcherRun = derivedRun(run, { definition: batcher });
  const maxItems = await limit(batcherRun, 'MaxItemsPerBatch');
  const maxBytes = await limit(batcherRun, 'MaxInputBytesPerBatch');
  if (maxItems === undefined && maxBytes === undefined) {
    throw new StatesError(
      StatesErrorName.Runtime,
      `${run.prefix} ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path)`,
    );
  }
  const batchInput = await evaluateBatchInput(run, batcher.BatchInput, stateInput);
  const envelope = (list: unknown[]): ItemBatch =>
    batchInput === undefined ? { Items: list } : { BatchInput: batchInput, Items: list };
  // Counted incrementally: the envelope around no items, plus each item's text and a comma.
  const emptyBytes = payloadBytes(toPayloadText(envelope([])));
  const tooBig = () =>
    new StatesError(
      StatesErrorName.Runtime,
      `${run.prefix} An item is larger than MaxInputBytesPerBatch (${maxBytes} bytes) on its own`,
    );
  const batches: ItemBatch[] = [];
  let current: unknown[] = [];
  let bytes = emptyBytes;
  for (const item of items) {
    const itemBytes = payloadBytes(toPayloadText(item));
    const withItem = bytes + itemBytes + (current.length > 0 ? 1 : 0);
    const fitsCount = maxItems === undefined || current.length < maxItems;
    const fitsBytes = maxBytes === undefined || withItem <= maxBytes;
    if (fitsCount && fitsBytes) {
      current.push(item);
      bytes = withItem;
      continue;
    }
    if (current.length > 0) batches.push(envelope(current));
    current = [item];
    bytes = emptyBytes + itemBytes;
    if (maxBytes !== undefined && bytes > maxBytes) throw tooBig();
  }
  if (current.length > 0) batches.push(envelope(current));
  return batches;
}

async function limit(run: StateRun, field: string): Promise<number | undefined> {
  const read = await readDynamicField(run, field);
  if (!read.present) return undefined;
  const v = read.value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new StatesError(
      run.language === QueryLanguage.JSONata ? StatesErrorName.QueryEvaluationError : StatesErrorName.Runtime,
      `${run.prefix} The ItemBatcher field ${read.fromPath ? `${field}Path` : field} refers to value ${JSON.stringify(v)} which is not a valid positive integer`,
    );
  }
  return v;
}

async function evaluateBatchInput(run: StateRun, template: unknown, stateInput: unknown): Promise<unknown> {
  if (template === undefined) return undefined;
  if (run.language === QueryLanguage.JSONata) {
    return evaluateJsonataTemplate(template, jsonataScope(run), 'BatchInput', run.prefix);
  }
  return applyTemplate(run, template, stateInput);
}
