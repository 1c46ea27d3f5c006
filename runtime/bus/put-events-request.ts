import { Buffer } from 'node:buffer';
import { AwsApiError } from '../api/aws-service.js';
import { isPlainObject } from './pattern-model.js';

/**
 * The PutEvents request as AWS validates it: shape errors fail the whole call with
 * ValidationException; a bad entry fails only that entry, reported in the result.
 */
const MAX_ENTRIES = 10;
/** The request's entries may total 256 KiB, counted as AWS's "Calculating PutEvents event entry size". */
const MAX_REQUEST_ENTRY_BYTES = 256 * 1024;
/** A `Time` counts as 14 bytes however it is written. */
const TIME_BYTES = 14;

export interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  /** Epoch seconds, as the SDK serializes timestamps in AWS JSON 1.1. */
  readonly Time?: number;
  readonly Resources?: readonly string[];
  readonly EventBusName?: string;
}

export interface AcceptedEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  readonly time: Date | undefined;
  readonly resources: readonly string[];
  readonly busName: string;
}

export interface EntryFailure {
  readonly ErrorCode: string;
  readonly ErrorMessage: string;
}

function validationError(message: string): AwsApiError {
  return new AwsApiError('ValidationException', message);
}

/** Checks the request's shape and total size; returns its entries. */
export function parsePutEventsRequest(request: unknown): PutEventsEntry[] {
  if (!isPlainObject(request)) throw validationError('The request body must be a JSON object');
  const entries = request.Entries;
  if (entries === undefined || entries === null) {
    throw validationError(
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  }
  if (!Array.isArray(entries)) throw validationError('Entries must be a list of PutEventsRequestEntry');
  if (entries.length < 1 || entries.length > MAX_ENTRIES) {
    const bound = entries.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ENTRIES}`;
    throw validationError(
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${bound}`,
    );
  }
  const parsed = entries.map((entry, i) => checkEntryShape(entry, i));
  const size = parsed.reduce((sum, entry) => sum + entrySize(entry), 0);
  if (size > MAX_REQUEST_ENTRY_BYTES) {
    throw validationError(
      `Total size of the entries in the request is over the limit (${size} bytes, limit ${MAX_REQUEST_ENTRY_BYTES}).`,
    );
  }
  return parsed;
}

const STRING_FIELDS = ['Source', 'DetailType', 'Detail', 'EventBusName', 'TraceHeader'] as const;

function checkEntryShape(entry: unknown, index: number): PutEventsEntry {
  if (!isPlainObject(entry))
    throw validationError(`Entries[${index}] must be a PutEventsRequestEntry object`);
  for (const field of STRING_FIELDS) {
    const value = entry[field];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw validationError(`Entries[${index}].${field} must be a string`);
    }
  }
  const time = entry.Time;
  if (time !== undefined && time !== null && (typeof time !== 'number' || !Number.isFinite(time))) {
    throw validationError(`Entries[${index}].Time must be a timestamp in epoch seconds`);
  }
  const resources = entry.Resources;
  if (
    resources !== undefined &&
    resources !== null &&
    (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string'))
  ) {
    throw validationError(`Entries[${index}].Resources must be a list of strings`);
  }
  return entry as PutEventsEntry;
}

function entrySize(entry: PutEventsEntry): number {
  let size = entry.Time !== undefined && entry.Time !== null ? TIME_BYTES : 0;
  for (const text of [entry.Source, entry.DetailType, entry.Detail]) {
    if (typeof text === 'string') size += Buffer.byteLength(text, 'utf8');
  }
  for (const resource of entry.Resources ?? []) size += Buffer.byteLength(resource, 'utf8');
  return size;
}

/** The per-entry checks, in AWS's order; the messages are the ones PutEvents returns. */
export function checkEntry(
  entry: PutEventsEntry,
  options: { allowAwsSources: boolean },
): AcceptedEntry | EntryFailure {
  if (!entry.Source) return invalidArgument('Source');
  if (!entry.DetailType) return invalidArgument('DetailType');
  if (!entry.Detail) return invalidArgument('Detail');
  // Only AWS services may put `aws.*` events; EventBridge refuses them from callers.
  if (entry.Source.startsWith('aws.') && !options.allowAwsSources) {
    return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return malformed();
  }
  if (!isPlainObject(detail)) return malformed();
  return {
    source: entry.Source,
    detailType: entry.DetailType,
    detail,
    time: typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : undefined,
    resources: entry.Resources ?? [],
    busName: busNameOf(entry.EventBusName),
  };
}

function invalidArgument(field: string): EntryFailure {
  return {
    ErrorCode: 'InvalidArgument',
    ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
  };
}

function malformed(): EntryFailure {
  return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
}

/** EventBusName may be a name or an event bus ARN; absent means `default`. */
function busNameOf(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  const arn = /^arn:aws[a-z-]*:events:[a-z0-9-]*:\d*:event-bus\/(.+)$/.exec(nameOrArn);
  return arn ? arn[1] : nameOrArn;
}

export function isFailure(result: AcceptedEntry | EntryFailure): result is EntryFailure {
  return 'ErrorCode' in result;
}
