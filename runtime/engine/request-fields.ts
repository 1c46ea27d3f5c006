import { AwsApiError } from '../api/aws-service.js';

/**
 * Field checks for API requests, with AWS's ValidationException wording. Every check throws; none
 * substitutes a default for a value of the wrong type.
 */
export type ApiRequest = Readonly<Record<string, unknown>>;

function validation(message: string): AwsApiError {
  return new AwsApiError('ValidationException', `1 validation error detected: ${message}`);
}

export function asRequest(body: unknown): ApiRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AwsApiError('SerializationException', 'Request body must be a JSON object');
  }
  return body as ApiRequest;
}

export function requireString(req: ApiRequest, field: string, max = 2048, min = 1): string {
  const v = req[field];
  if (v === undefined || v === null) {
    throw validation(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  return checkString(v, field, max, min);
}

export function optionalString(req: ApiRequest, field: string, max = 2048, min = 0): string | undefined {
  const v = req[field];
  if (v === undefined || v === null) return undefined;
  return checkString(v, field, max, min);
}

function checkString(v: unknown, field: string, max: number, min: number): string {
  if (typeof v !== 'string') {
    throw validation(`Value at '${field}' failed to satisfy constraint: Member must be of type string`);
  }
  if (v.length < min) {
    throw validation(
      `Value '${v}' at '${field}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`,
    );
  }
  if (v.length > max) {
    throw validation(
      `Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
  return v;
}

export function optionalInteger(
  req: ApiRequest,
  field: string,
  min: number,
  max: number,
): number | undefined {
  const v = req[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw validation(`Value at '${field}' failed to satisfy constraint: Member must be of type integer`);
  }
  if (v < min || v > max) {
    throw validation(
      `Value '${v}' at '${field}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
    );
  }
  return v;
}

export function optionalBoolean(req: ApiRequest, field: string): boolean | undefined {
  const v = req[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') {
    throw validation(`Value at '${field}' failed to satisfy constraint: Member must be of type boolean`);
  }
  return v;
}

export function optionalEnum<T extends string>(
  req: ApiRequest,
  field: string,
  allowed: readonly T[],
): T | undefined {
  const v = optionalString(req, field);
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) {
    throw validation(
      `Value '${v}' at '${field}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return v as T;
}

/** Pagination tokens are opaque base64 of an offset, bound to the request that made them. */
export function decodeNextToken(token: string | undefined, scope: string): number {
  if (token === undefined) return 0;
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o: number; s: string };
    if (
      typeof decoded.o === 'number' &&
      Number.isInteger(decoded.o) &&
      decoded.o >= 0 &&
      decoded.s === scope
    ) {
      return decoded.o;
    }
  } catch {
    // fall through to AWS's error
  }
  throw new AwsApiError('InvalidToken', "Invalid Token: 'Invalid pagination token'");
}

export function encodeNextToken(offset: number, scope: string): string {
  return Buffer.from(JSON.stringify({ o: offset, s: scope }), 'utf8').toString('base64url');
}
