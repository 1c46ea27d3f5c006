import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AwsApiError } from '../api/aws-service.js';

/**
 * The AWS JSON 1.0/1.1 wire protocol as the SDK reads it: errors carry `__type` in the body and in
 * `x-amzn-ErrorType`; every response carries `x-amzn-RequestId`.
 */
const JSON_CONTENT_TYPES = ['application/x-amz-json-1.0', 'application/x-amz-json-1.1'] as const;
export type JsonContentType = (typeof JSON_CONTENT_TYPES)[number];

/** Errors the front door raises itself, before any service sees the request. */
export const ProtocolErrors = {
  unknownOperation: (detail: string) => new AwsApiError('UnknownOperationException', detail, 400),
  serialization: (detail: string) => new AwsApiError('SerializationException', detail, 400),
  tooLarge: (limit: number) =>
    new AwsApiError('RequestEntityTooLargeException', `Request body must be at most ${limit} bytes`, 413),
  internal: () =>
    new AwsApiError(
      'InternalFailure',
      'The request processing has failed because of an unknown error, exception or failure.',
      500,
    ),
} as const;

export interface ResponseContext {
  readonly requestId: string;
  readonly contentType: JsonContentType;
  readonly date: Date;
}

export function newResponseContext(contentType: JsonContentType, date: Date): ResponseContext {
  return { requestId: randomUUID(), contentType, date };
}

export function writeResult(res: ServerResponse, context: ResponseContext, result: unknown): void {
  const body = JSON.stringify(result === undefined || result === null ? {} : result);
  send(res, context, 200, body, {});
}

export function writeError(res: ServerResponse, context: ResponseContext, error: AwsApiError): void {
  const body = JSON.stringify({ __type: error.code, message: error.message });
  send(res, context, error.statusCode, body, { 'x-amzn-ErrorType': error.code });
}

function send(
  res: ServerResponse,
  context: ResponseContext,
  status: number,
  body: string,
  extra: Record<string, string>,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    'content-type': context.contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-RequestId': context.requestId,
    // Our clock, not the wall clock: the SDK corrects its skew from this header, and the signature
    // window is checked against the same clock.
    date: context.date.toUTCString(),
    ...extra,
  });
  res.end(body);
}

/** The protocol version of a Content-Type header, or null when it is not AWS JSON. */
export function jsonContentType(header: string | undefined): JsonContentType | null {
  const base = (header ?? '').split(';')[0].trim().toLowerCase();
  return (JSON_CONTENT_TYPES as readonly string[]).includes(base) ? (base as JsonContentType) : null;
}
