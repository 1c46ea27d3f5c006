import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsApiError } from '../api/aws-service.js';
import type { LocalCredentials } from './credentials.js';
import { NodeSha256 } from './node-sha256.js';

/** AWS accepts a signature dated up to 15 minutes either side of its own clock. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface ReceivedRequest {
  readonly method: string;
  /** Path and query exactly as received (`req.url`). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface VerifyOptions {
  readonly credentials: LocalCredentials;
  /** Signing name the credential scope must carry, e.g. `states`, `events`. */
  readonly service: string;
  /** The one region this endpoint answers for; a request signed for another is refused, as AWS does. */
  readonly region: string;
  readonly now: Date;
}

/**
 * The SigV4 failures, with the codes and texts AWS's JSON services answer. Step Functions reports
 * an unknown key and a bad signature as 400 (observed: "Status Code: 400; Error Code:
 * UnrecognizedClientException"), while a missing token is 403 as in AWS's common-errors table.
 */
const AuthErrors = {
  missing: () => new AwsApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403),
  incomplete: (detail: string) => new AwsApiError('IncompleteSignatureException', detail, 400),
  unrecognized: () =>
    new AwsApiError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      400,
    ),
  invalid: (detail: string) => new AwsApiError('InvalidSignatureException', detail, 400),
} as const;

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * Verifies an `Authorization: AWS4-HMAC-SHA256 …` header by recomputing the signature over what was
 * received, with @smithy/signature-v4 signing exactly the headers the client said it signed.
 * Throws AwsApiError on any failure; returns normally only for a request signed with our key.
 */
export async function verifySigV4(request: ReceivedRequest, options: VerifyOptions): Promise<void> {
  const authorization = header(request.headers, 'authorization');
  if (authorization === undefined) throw AuthErrors.missing();
  const parsed = parseAuthorization(authorization);

  if (parsed.accessKeyId !== options.credentials.accessKeyId) throw AuthErrors.unrecognized();
  // Our credentials are long-lived keys; a session token can only belong to some other identity.
  if (header(request.headers, 'x-amz-security-token') !== undefined) throw AuthErrors.unrecognized();

  const amzDate = header(request.headers, 'x-amz-date');
  if (amzDate === undefined) {
    throw AuthErrors.incomplete(
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  const signingDate = parseAmzDate(amzDate);
  checkScope(parsed, amzDate, options.service, options.region);
  checkWindow(amzDate, signingDate, options.now);
  if (!parsed.signedHeaders.includes('host')) {
    throw AuthErrors.invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  checkPayloadHash(request);

  const expected = await computeSignature(request, parsed, signingDate, options.credentials);
  const given = Buffer.from(parsed.signature, 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw AuthErrors.invalid(MISMATCH);
}

interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

function parseAuthorization(value: string): ParsedAuthorization {
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(value.trim());
  if (!match) throw AuthErrors.incomplete(`Unsupported Authorization type; expected AWS4-HMAC-SHA256`);
  const params = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((name) => !params.get(name));
  if (missing.length > 0) {
    throw AuthErrors.incomplete(
      missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' '),
    );
  }
  const scope = params.get('Credential')!.split('/');
  if (scope.length !== 5 || scope.some((piece) => piece.length === 0)) {
    throw AuthErrors.incomplete(
      'Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term',
    );
  }
  const signature = params.get('Signature')!;
  if (!/^[0-9a-f]{64}$/.test(signature)) throw AuthErrors.invalid(MISMATCH);
  return {
    accessKeyId: scope[0],
    scopeDate: scope[1],
    region: scope[2],
    service: scope[3],
    terminator: scope[4],
    signedHeaders: params.get('SignedHeaders')!.split(';'),
    signature,
  };
}

function parseAmzDate(value: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  const date = match
    ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6]))
    : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()) || !match || date.getUTCDate() !== +match[3]) {
    throw AuthErrors.incomplete(`Date must be in ISO-8601 'basic format'. Got '${value}'.`);
  }
  return date;
}

function checkScope(parsed: ParsedAuthorization, amzDate: string, service: string, region: string): void {
  if (parsed.terminator !== 'aws4_request') {
    throw AuthErrors.invalid(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${parsed.terminator}'.`,
    );
  }
  if (parsed.service !== service) {
    throw AuthErrors.invalid(`Credential should be scoped to correct service: '${service}'. `);
  }
  if (parsed.scopeDate !== amzDate.slice(0, 8)) {
    throw AuthErrors.invalid(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  // AWS answers a signature scoped to another region with this exact text (it names the region asked for).
  if (parsed.region !== region) {
    throw AuthErrors.invalid(`Credential should be scoped to a valid region, not '${parsed.region}'. `);
  }
}

function checkWindow(amzDate: string, signed: Date, now: Date): void {
  const skew = signed.getTime() - now.getTime();
  if (skew < -MAX_CLOCK_SKEW_MS) {
    const floor = basicFormat(new Date(now.getTime() - MAX_CLOCK_SKEW_MS));
    throw AuthErrors.invalid(
      `Signature expired: ${amzDate} is now earlier than ${floor} (${basicFormat(now)} - 15 min.)`,
    );
  }
  if (skew > MAX_CLOCK_SKEW_MS) {
    const ceiling = basicFormat(new Date(now.getTime() + MAX_CLOCK_SKEW_MS));
    throw AuthErrors.invalid(
      `Signature not yet current: ${amzDate} is still later than ${ceiling} (${basicFormat(now)} + 15 min.)`,
    );
  }
}

/** A signed x-amz-content-sha256 is what the signature covers, so it must really be the body's hash. */
function checkPayloadHash(request: ReceivedRequest): void {
  const claimed = header(request.headers, 'x-amz-content-sha256');
  if (claimed === undefined) return;
  const actual = createHash('sha256').update(request.body).digest('hex');
  if (claimed !== actual) {
    throw AuthErrors.invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
}

async function computeSignature(
  request: ReceivedRequest,
  parsed: ParsedAuthorization,
  signingDate: Date,
  credentials: LocalCredentials,
): Promise<string> {
  const url = new URL(request.url, 'http://placeholder');
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0] : values;
  }
  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = header(request.headers, name);
    if (value !== undefined) headers[name] = value;
  }
  const signer = new SignatureV4({
    credentials,
    region: parsed.region,
    service: parsed.service,
    sha256: NodeSha256,
    applyChecksum: false,
    uriEscapePath: true,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: 'localhost',
      path: url.pathname,
      query,
      headers,
      body: request.body,
    },
    {
      signingDate,
      signingRegion: parsed.region,
      signingService: parsed.service,
      signableHeaders: new Set(parsed.signedHeaders),
    },
  );
  const produced = String(signed.headers.authorization ?? '');
  return /Signature=([0-9a-f]{64})/.exec(produced)?.[1] ?? '';
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}

function basicFormat(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
