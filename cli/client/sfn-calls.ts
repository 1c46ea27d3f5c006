import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type {
  DescribeExecutionCommandInput,
  DescribeExecutionCommandOutput,
  GetExecutionHistoryCommandInput,
  GetExecutionHistoryCommandOutput,
  ListExecutionsCommandInput,
  ListExecutionsCommandOutput,
  ListStateMachinesCommandInput,
  ListStateMachinesCommandOutput,
} from '@aws-sdk/client-sfn';
import aws4 from 'aws4';

/**
 * The Step Functions reads the read commands (`runs`, `show`) make, by operation name. Typed with
 * the SDK's own shapes (types only), so the callers read the same fields on AWS and locally.
 */
interface SfnReads {
  ListStateMachines: [ListStateMachinesCommandInput, ListStateMachinesCommandOutput];
  ListExecutions: [ListExecutionsCommandInput, ListExecutionsCommandOutput];
  DescribeExecution: [DescribeExecutionCommandInput, DescribeExecutionCommandOutput];
  GetExecutionHistory: [GetExecutionHistoryCommandInput, GetExecutionHistoryCommandOutput];
}
type SfnRead = keyof SfnReads;

export interface SfnCalls {
  call<K extends SfnRead>(operation: K, input: SfnReads[K][0]): Promise<SfnReads[K][1]>;
}

/** On AWS: the SDK's client, loaded on the first call (most commands talk to the local runtime). */
export function sdkSfnCalls(config: () => Record<string, unknown>): SfnCalls {
  let loaded:
    | Promise<{ send: (command: unknown) => Promise<unknown>; sdk: Record<string, unknown> }>
    | undefined;
  return {
    async call(operation, input) {
      loaded ??= import('@aws-sdk/client-sfn').then((sdk) => ({
        send: (command) => new sdk.SFNClient(config()).send(command as never),
        sdk: sdk as unknown as Record<string, unknown>,
      }));
      const { send, sdk } = await loaded;
      const Command = sdk[`${operation}Command`] as new (i: unknown) => unknown;
      return (await send(new Command(input))) as never;
    },
  };
}

/** Fields the SDK turns from epoch seconds into Dates; the local client does the same. */
const DATE_FIELDS = new Set(['creationDate', 'startDate', 'stopDate', 'redriveDate', 'timestamp']);

export interface LocalSfnConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * The local runtime speaks Step Functions' own protocol (AWS JSON 1.0, SigV4-signed), so a read is
 * one signed POST. Loading the SDK's client for it cost about as much start-up as the rest of
 * `tollgate runs` together (its protocol and middleware stacks are ~400 KB of JavaScript); this
 * keeps the answer the SDK would give: error names from `__type`, dates as Date objects.
 */
export function localSfnCalls(config: () => LocalSfnConfig): SfnCalls {
  return {
    async call(operation, input) {
      const { endpoint, region, credentials } = config();
      const url = new URL(endpoint);
      const body = JSON.stringify(input);
      // aws4, not @smithy/signature-v4: that one brings ~165 KB of @smithy/core to every start-up.
      const signed = aws4.sign(
        {
          service: 'states',
          region,
          method: 'POST',
          host: url.host,
          path: url.pathname || '/',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': `AWSStepFunctions.${operation}`,
          },
          body,
        },
        credentials,
      );
      const { status, text } = await post(url, signed.headers as Record<string, string>, body);
      const parsed = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      if (status < 200 || status > 299) throw serviceError(parsed, status);
      return withDates(parsed) as never;
    },
  };
}

/**
 * node:http, not fetch: fetch's first use loads undici, which cost more start-up than the request.
 * A refused connection rejects with the socket's error, whose `code` (ECONNREFUSED) the CLI reads.
 */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : request;
    const req = send(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function serviceError(body: Record<string, unknown>, status: number): Error {
  const type = typeof body.__type === 'string' ? body.__type.split('#').pop()! : `HTTP ${status}`;
  const message = body.message ?? body.Message;
  const error = new Error(typeof message === 'string' ? message : `the runtime answered ${status}`);
  error.name = type;
  return error;
}

function withDates(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withDates);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      DATE_FIELDS.has(key) && typeof v === 'number' ? new Date(v * 1000) : withDates(v),
    ]),
  );
}
