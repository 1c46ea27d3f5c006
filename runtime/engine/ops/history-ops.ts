import type { HistoryEvent } from '../../asl/history/history-event.js';
import type { EngineCore } from '../engine-core.js';
import {
  asRequest,
  decodeNextToken,
  encodeNextToken,
  optionalBoolean,
  optionalInteger,
  optionalString,
} from '../request-fields.js';
import { executionArnField } from './execution-ops.js';

const DATA_FIELDS = ['input', 'output', 'parameters'];

/** includeExecutionData=false drops payloads, as AWS does for callers without data access. */
function withoutData(event: HistoryEvent): HistoryEvent {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object') {
      const details: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (!DATA_FIELDS.includes(k)) details[k] = v;
      out[key] = details;
    } else {
      out[key] = value;
    }
  }
  return out as HistoryEvent;
}

export function getExecutionHistory(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const arn = executionArnField(req);
  const maxResults = optionalInteger(req, 'maxResults', 0, 1000) || 100;
  const reverse = optionalBoolean(req, 'reverseOrder') ?? false;
  const includeData = optionalBoolean(req, 'includeExecutionData') ?? true;
  const scope = `GetExecutionHistory:${arn}:${reverse}`;
  const offset = decodeNextToken(optionalString(req, 'nextToken', 3096, 1), scope);
  const exec = core.execution(arn);
  // Only durable events are acknowledged (see ExecutionHistory); later ones are still in flight.
  const durable = exec.history.events.slice(0, exec.history.durableCount);
  const all = reverse ? durable.reverse() : durable;
  const page = all.slice(offset, offset + maxResults).map((e) => ({
    ...(includeData ? e : withoutData(e)),
    timestamp: e.timestamp / 1000,
  }));
  return {
    events: page,
    ...(offset + maxResults < all.length ? { nextToken: encodeNextToken(offset + maxResults, scope) } : {}),
  };
}
