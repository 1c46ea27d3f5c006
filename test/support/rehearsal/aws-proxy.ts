import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsApiError, type AwsJsonService } from '../../../runtime/api/aws-service.js';
import type { IamChecker, RecordedCall } from './iam-check.js';
import { type ArnLookups, iamRequestsOf, operationOf, type WireRequest } from './iam-requests.js';

export interface Principal {
  /** What the call is attributed to in reports: a function's name, `state machine`, `codebuild`. */
  readonly caller: string;
  readonly roleArn: string;
}

export interface AwsProxyOptions {
  /** moto_server's endpoint: every call no emulator below serves goes there. */
  readonly moto: string;
  /**
   * APIs served in this process (Step Functions by the engine, ECS by its emulator), by SigV4
   * service; one with `operations` serves only those and leaves the rest of its service to moto.
   */
  readonly services: Readonly<Record<string, AwsJsonService & { operations?: ReadonlySet<string> }>>;
  /** Refuses a call before it is forwarded to moto, with the error AWS would answer (moto's gaps). */
  readonly vetForwarded?: (service: string, op: string, body: Buffer) => AwsApiError | undefined;
  /** Access key id → who signs with it. Unknown keys (the harness's own set-up) are not checked. */
  readonly principals: ReadonlyMap<string, Principal>;
  readonly iam: IamChecker;
  readonly lookups: ArnLookups;
  /**
   * `enforce` answers a denied call with AccessDenied, as AWS would; `report` records it (the
   * rehearsal still fails) and lets it through, so one run lists every denied call of the pipeline.
   */
  readonly mode: 'enforce' | 'report';
  /**
   * Rewrites a forwarded call's body for moto and moto's answer back (same length both ways), for
   * names moto draws itself (see IdAliases). @default bodies pass unchanged
   */
  readonly rewrite?: {
    toMoto(service: string, body: Buffer): Buffer;
    fromMoto(service: string, body: Buffer): Buffer;
  };
  /** Sees every successful forwarded call (the RDS data plane follows clusters through it). */
  readonly onForwarded?: (req: WireRequest, op: string, status: number, body: Buffer) => Promise<void>;
}

/**
 * The AWS endpoint the functions see (AWS_ENDPOINT_URL). For each signed call it finds the role
 * from the access key, works out the IAM authorizations the call needs, evaluates them against the
 * role's policies, and either answers AccessDenied in the service's own error shape (as AWS would,
 * so the function fails exactly as it would in an account) or forwards the call.
 */
export class AwsProxy {
  private server?: Server;
  endpoint = '';

  constructor(private readonly options: AwsProxyOptions) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`rehearsal proxy: ${error.message}`);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://proxy');
    const { accessKey, service } = credentialOf(req, url);
    const wire: WireRequest = {
      service,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    const op = operationOf(wire);
    const principal = this.options.principals.get(accessKey);
    if (principal) {
      const checks: RecordedCall[] = [];
      for (const r of await iamRequestsOf(wire, this.options.lookups))
        checks.push(await this.options.iam.check(principal.caller, principal.roleArn, r));
      const denied = checks.find((c) => c.decision === 'Denied');
      if (denied && this.options.mode === 'enforce')
        return denyInServiceShape(
          res,
          service,
          typeof req.headers['x-amz-target'] === 'string',
          denied,
          principal,
        );
    }
    const local = this.options.services[service];
    if (local && (!local.operations || local.operations.has(op))) return serveJson(local, op, body, res);
    const refused = this.options.vetForwarded?.(service, op, body);
    if (refused) return sendJsonError(res, refused);
    await this.forward(req, wire, op, body, res);
  }

  private forward(req: IncomingMessage, wire: WireRequest, op: string, body: Buffer, res: ServerResponse) {
    const target = new URL(this.options.moto);
    return new Promise<void>((resolve, reject) => {
      const out = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...motoHeaders(req.headers), host: target.host },
        },
        (reply) => {
          const parts: Buffer[] = [];
          reply.on('data', (c: Buffer) => parts.push(c));
          reply.on('end', async () => {
            const replyBody =
              this.options.rewrite?.fromMoto(wire.service, Buffer.concat(parts)) ?? Buffer.concat(parts);
            try {
              if ((reply.statusCode ?? 500) < 300)
                await this.options.onForwarded?.(wire, op, reply.statusCode ?? 200, replyBody);
              res.writeHead(reply.statusCode ?? 500, reply.headers);
              res.end(replyBody);
              resolve();
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      out.on('error', reject);
      out.end(this.options.rewrite?.toMoto(wire.service, body) ?? body);
    });
  }
}

/**
 * moto's known gap: it refuses an Object Lock upload unless Content-MD5 or
 * x-amz-sdk-checksum-algorithm is sent, while AWS also accepts the SDK's flexible checksum alone
 * (x-amz-checksum-<alg>, or announced in x-amz-trailer). The algorithm header is added for moto
 * only; nothing else about the request changes.
 */
function motoHeaders(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  if (headers['content-md5'] || headers['x-amz-sdk-checksum-algorithm']) return headers;
  const named =
    Object.keys(headers).find((h) => h.startsWith('x-amz-checksum-') && h !== 'x-amz-checksum-type') ??
    String(headers['x-amz-trailer'] ?? '');
  const algorithm = /^x-amz-checksum-(crc32c|crc32|crc64nvme|sha1|sha256)$/.exec(named)?.[1];
  return algorithm ? { ...headers, 'x-amz-sdk-checksum-algorithm': algorithm.toUpperCase() } : headers;
}

function credentialOf(req: IncomingMessage, url: URL): { accessKey: string; service: string } {
  const header = String(req.headers.authorization ?? '');
  const scope = /Credential=([^,\s]+)/.exec(header)?.[1] ?? url.searchParams.get('X-Amz-Credential') ?? '';
  const [accessKey = '', , , service = ''] = scope.split('/');
  return { accessKey, service };
}

async function serveJson(service: AwsJsonService, op: string, body: Buffer, res: ServerResponse) {
  const contentType = 'application/x-amz-json-1.1';
  try {
    const result = await service.dispatch(op, body.length ? JSON.parse(body.toString('utf8')) : {});
    const text = JSON.stringify(result ?? {});
    res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  } catch (error) {
    sendJsonError(
      res,
      error instanceof AwsApiError
        ? error
        : new AwsApiError('InternalFailure', (error as Error).message, 500),
    );
  }
}

function sendJsonError(res: ServerResponse, e: AwsApiError): void {
  const text = JSON.stringify({ __type: e.code, message: e.message });
  res.writeHead(e.statusCode, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-ErrorType': e.code });
  res.end(text);
}

/** AccessDenied as each protocol spells it: JSON `__type`, query-protocol XML, or S3's XML. */
function denyInServiceShape(
  res: ServerResponse,
  service: string,
  json: boolean,
  call: RecordedCall,
  who: Principal,
): void {
  const message =
    `User: arn:aws:sts::${call.roleArn.split(':')[4]}:assumed-role/${who.roleArn.split('/').pop()}/${who.caller} ` +
    `is not authorized to perform: ${call.action} on resource: ${call.resource} because no identity-based policy allows the ${call.action} action`;
  if (json) {
    const code = 'AccessDeniedException';
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-ErrorType': code });
    res.end(JSON.stringify({ __type: code, message }));
    return;
  }
  const xml =
    service === 's3'
      ? `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>${escapeXml(message)}</Message></Error>`
      : `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${escapeXml(message)}</Message></Error><RequestId>rehearsal</RequestId></ErrorResponse>`;
  res.writeHead(403, { 'content-type': 'text/xml' });
  res.end(xml);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
