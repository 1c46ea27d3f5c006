import { StatesError, StatesErrorName } from '../errors/states-error.js';
import { evaluateJsonataTemplate } from '../query/jsonata-evaluator.js';
import { QueryLanguage } from '../query/query-language.js';
import { readDynamicField } from '../states/dynamic-value.js';
import { applyTemplate } from '../states/io-processing.js';
import { derivedRun, jsonataScope, type StateRun } from '../states/state-run.js';
import { parseCsvRows } from './csv-rows.js';

const GET_OBJECT = /^arn:aws[a-z-]*:states:::s3:getObject$/;
const LIST_OBJECTS = /^arn:aws[a-z-]*:states:::s3:listObjectsV2$/;

/**
 * A distributed Map's ItemReader: the items come from an object (getObject: a JSON array, JSON
 * Lines or CSV) or from a listing (listObjectsV2: one item per object), read through the
 * execution's MapObjectStore. Any failure to read them is States.ItemReaderFailed, as on AWS.
 */
export async function readItems(
  run: StateRun,
  reader: Readonly<Record<string, unknown>>,
  stateInput: unknown,
): Promise<unknown[]> {
  const objects = run.frame.services.objects;
  const resource = String(reader.Resource);
  const config = (reader.ReaderConfig ?? {}) as Readonly<Record<string, unknown>>;
  const params = (await readerParameters(run, reader, stateInput)) as Record<string, unknown>;
  const bucket = params?.Bucket;
  if (typeof bucket !== 'string' || bucket === '')
    throw failed(run, 'Parameters.Bucket must be a non-empty string');
  if (!objects) throw failed(run, `no object store is configured for ${resource}`);
  const maxItems = await readerMaxItems(run, config);
  let items: unknown[];
  if (LIST_OBJECTS.test(resource)) {
    const prefix = typeof params.Prefix === 'string' ? params.Prefix : '';
    items = await attempt(run, () => objects.listObjects(bucket, prefix));
  } else if (GET_OBJECT.test(resource)) {
    if (typeof params.Key !== 'string' || params.Key === '')
      throw failed(run, 'Parameters.Key must be a non-empty string');
    const key = params.Key;
    const text = await attempt(run, () => objects.getObject(bucket, key));
    items = await attempt(run, async () => parseObject(text, config));
  } else {
    throw failed(run, `unsupported ItemReader resource ${resource}`);
  }
  return maxItems === undefined ? items : items.slice(0, maxItems);
}

function parseObject(text: string, config: Readonly<Record<string, unknown>>): unknown[] {
  const type = config.InputType;
  if (type === 'JSON') {
    const parsed = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error('the JSON object must hold an array');
    return parsed;
  }
  if (type === 'JSONL') {
    return text
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line));
  }
  if (type === 'CSV') return csvItems(text, config);
  throw new Error(`ReaderConfig.InputType ${JSON.stringify(type)} is not supported (JSON, JSONL or CSV)`);
}

/** CSV rows as objects keyed by the header (the first row, or CSVHeaders); every value a string. */
function csvItems(text: string, config: Readonly<Record<string, unknown>>): unknown[] {
  const delimiter = csvDelimiter(config.CSVDelimiter);
  const rows = parseCsvRows(text, delimiter);
  const location = config.CSVHeaderLocation ?? 'FIRST_ROW';
  let headers: string[];
  if (location === 'GIVEN') {
    const given = config.CSVHeaders;
    if (!Array.isArray(given) || !given.every((h) => typeof h === 'string'))
      throw new Error('CSVHeaders must be a list of strings when CSVHeaderLocation is GIVEN');
    headers = given;
  } else if (location === 'FIRST_ROW') {
    headers = rows.shift() ?? [];
  } else {
    throw new Error(`CSVHeaderLocation ${JSON.stringify(location)} must be FIRST_ROW or GIVEN`);
  }
  return rows.map((row, i) => {
    if (row.length > headers.length)
      throw new Error(`row ${i + 1} has ${row.length} fields but the header names ${headers.length}`);
    return Object.fromEntries(headers.map((h, j) => [h, row[j] ?? '']));
  });
}

function csvDelimiter(value: unknown): string {
  const names: Record<string, string> = { COMMA: ',', PIPE: '|', SEMICOLON: ';', SPACE: ' ', TAB: '\t' };
  if (value === undefined) return ',';
  const d = typeof value === 'string' ? names[value] : undefined;
  if (!d)
    throw new Error(`CSVDelimiter ${JSON.stringify(value)} must be one of ${Object.keys(names).join(', ')}`);
  return d;
}

async function readerParameters(run: StateRun, reader: Readonly<Record<string, unknown>>, input: unknown) {
  if (run.language === QueryLanguage.JSONata) {
    return reader.Arguments === undefined
      ? {}
      : evaluateJsonataTemplate(reader.Arguments, jsonataScope(run), 'Arguments', run.prefix);
  }
  return reader.Parameters === undefined ? {} : applyTemplate(run, reader.Parameters, input);
}

async function readerMaxItems(run: StateRun, config: Readonly<Record<string, unknown>>) {
  const read = await readDynamicField(derivedRun(run, { definition: config }), 'MaxItems');
  if (!read.present) return undefined;
  const v = read.value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw failed(run, `ReaderConfig.MaxItems must be a non-negative integer, got ${JSON.stringify(v)}`);
  // 0 means no limit, as on AWS.
  return v === 0 ? undefined : v;
}

async function attempt<T>(run: StateRun, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw failed(run, (err as Error).message);
  }
}

function failed(run: StateRun, why: string): StatesError {
  return new StatesError(StatesErrorName.ItemReaderFailed, `${run.prefix} ItemReader: ${why}`);
}
