import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ConflictError, ConsoleError, NotFoundError } from './errors.js';

/**
 * The Step Functions operations the console reads and those it performs (redrive, start), in the AWS
 * JSON wire shape: dates are epoch seconds. The local engine's `AwsJsonService` is one already;
 * `sfnClientApi` adapts the SDK client for `tollgate console --aws`.
 */
export interface SfnApi {
  dispatch(operation: string, request: unknown): Promise<unknown>;
}

export interface ExecutionListItem {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: number;
  readonly stopDate?: number;
}

export interface ExecutionDescription extends ExecutionListItem {
  readonly input?: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly redriveCount?: number;
  readonly redriveStatus?: string;
  readonly redriveStatusReason?: string;
}

export interface WireHistoryEvent {
  readonly id: number;
  readonly previousEventId?: number;
  readonly type: string;
  readonly timestamp: number;
  readonly [details: string]: unknown;
}

const COMMANDS = {
  ListExecutions: ListExecutionsCommand,
  DescribeExecution: DescribeExecutionCommand,
  GetExecutionHistory: GetExecutionHistoryCommand,
  RedriveExecution: RedriveExecutionCommand,
  // The release page's Deploy to … and the run page's Retry (redeploy-route.ts).
  StartExecution: StartExecutionCommand,
} as const;

/** The SDK client behind the same seam; its Date objects become epoch seconds, as on the wire. */
export function sfnClientApi(client: Pick<SFNClient, 'send'>): SfnApi {
  return {
    async dispatch(operation, request) {
      const Command = COMMANDS[operation as keyof typeof COMMANDS];
      if (!Command) throw new ConsoleError(`the console does not call ${operation}`);
      // biome-ignore lint/suspicious/noExplicitAny: one call site for five command input types
      const command = new (Command as any)(request);
      const output = (await client.send(command)) as unknown as Record<string, unknown>;
      const { $metadata: _metadata, ...rest } = output;
      return wireDates(rest);
    },
  };
}

function wireDates(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(wireDates);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wireDates(v)]));
  }
  return value;
}

/** AWS wire dates are epoch seconds; the console works in milliseconds. */
export function toMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value * 1000);
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/** Calls the API and turns its refusals into console errors with AWS's one-line message. */
export async function callSfn<T>(sfn: SfnApi, operation: string, request: unknown): Promise<T> {
  try {
    return (await sfn.dispatch(operation, request)) as T;
  } catch (error) {
    const name = (error as { name?: string; code?: string }).code ?? (error as Error).name ?? '';
    const message = firstLine((error as Error).message ?? String(error));
    if (name === 'ExecutionDoesNotExist') throw new NotFoundError(message);
    if (name === 'ExecutionNotRedrivable' || name === 'ExecutionLimitExceeded')
      throw new ConflictError(message);
    if (name === 'InvalidToken') throw new ConflictError(`the page cursor is no longer valid: ${message}`);
    throw new ConsoleError(`Step Functions ${operation} failed: ${name ? `${name}: ` : ''}${message}`);
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0].slice(0, 500);
}

/** Every event of one execution, oldest first, 1,000 per call (the API's page limit). */
export async function fullHistory(sfn: SfnApi, executionArn: string): Promise<WireHistoryEvent[]> {
  const events: WireHistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callSfn<{ events: WireHistoryEvent[]; nextToken?: string }>(
      sfn,
      'GetExecutionHistory',
      {
        executionArn,
        maxResults: 1000,
        ...(nextToken ? { nextToken } : {}),
      },
    );
    events.push(...page.events);
    nextToken = page.nextToken;
    // The local engine answers without I/O; yield between pages so a 25,000-event history does
    // not hold every other console request (and the engine's own callers) for its whole read.
    if (nextToken) await new Promise((resolve) => setImmediate(resolve));
  } while (nextToken);
  return events;
}
