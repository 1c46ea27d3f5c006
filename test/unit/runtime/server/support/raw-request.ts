import { request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LocalCredentials } from '../../../../../runtime/server/credentials.js';
import { NodeSha256 } from '../../../../../runtime/server/node-sha256.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly json: () => Record<string, unknown>;
}

export interface RawRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

/** Sends exactly what it is given over a fresh HTTP connection: no SDK in between. */
export function rawRequest(endpoint: string, options: RawRequest): Promise<RawResponse> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'POST',
        path: options.path ?? '/',
        headers: options.headers ?? {},
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** SigV4-signs a raw request the way the SDK would, so tests can send bodies the SDK never would. */
export async function signedHeaders(
  endpoint: string,
  credentials: LocalCredentials,
  options: { target: string; body: string | Buffer; service?: string; contentType?: string; date?: Date },
): Promise<Record<string, string>> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    credentials,
    region: 'us-east-1',
    service: options.service ?? 'states',
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      path: '/',
      query: {},
      headers: {
        host: url.host,
        'content-type': options.contentType ?? 'application/x-amz-json-1.0',
        'x-amz-target': options.target,
      },
      body: options.body,
    },
    { signingDate: options.date ?? new Date() },
  );
  return signed.headers as Record<string, string>;
}
