/**
 * A Lambda function URL with AuthType AWS_IAM, emulated on loopback: it verifies the SigV4
 * signature (service `lambda`) against the one approver identity it knows, checks the caller's
 * `lambda:InvokeFunctionUrl` against the caller's policies from the template (the stack's approver
 * managed policy), and invokes the function with the function URL event (payload 2.0) carrying the
 * caller in `requestContext.authorizer.iam`, as Lambda does once the signature verified.
 *
 * Does not model: CORS, response streaming, throttling, resource-based policies of the function.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySigV4 } from '../../../runtime/server/sigv4-verifier.js';
import type { FunctionHost } from './function-host.js';
import type { IamChecker } from './iam-check.js';
import type { FunctionModel } from './template-model.js';
import { REGION } from './template-model.js';

export interface UrlCaller {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The assumed-role session ARN the signature resolves to. */
  readonly sessionArn: string;
  /** The role whose policies decide (the approver policy is attached to it). */
  readonly roleArn: string;
}

export async function serveFunctionUrl(
  fn: FunctionModel,
  host: FunctionHost,
  iam: IamChecker,
  caller: UrlCaller,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    try {
      await verifySigV4(
        { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
        {
          credentials: { accessKeyId: caller.accessKeyId, secretAccessKey: caller.secretAccessKey },
          service: 'lambda',
          region: REGION,
          now: new Date(),
        },
      );
    } catch (error) {
      return reply(403, { Message: (error as Error).message });
    }
    const check = await iam.check(`approver ${caller.sessionArn.split('/').pop()}`, caller.roleArn, {
      action: 'lambda:InvokeFunctionUrl',
      resource: fn.arn,
      context: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' },
    });
    if (check.decision === 'Denied') return reply(403, { Message: 'Forbidden' });
    const url = new URL(req.url ?? '/', 'http://function-url');
    const outcome = await host.invokeAs(fn, {
      version: '2.0',
      routeKey: '$default',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      requestContext: {
        accountId: caller.roleArn.split(':')[4],
        requestId: randomUUID(),
        http: { method: req.method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        authorizer: {
          iam: {
            accessKey: caller.accessKeyId,
            accountId: caller.roleArn.split(':')[4],
            callerId: `AROA:${caller.sessionArn.split('/').pop()}`,
            userArn: caller.sessionArn,
          },
        },
      },
      body: body.toString('utf8'),
      isBase64Encoded: false,
    });
    if ('error' in outcome) return reply(502, { Message: 'Internal Server Error', error: outcome.error });
    const out = outcome.payload as { statusCode?: number; body?: string; headers?: Record<string, string> };
    res.writeHead(out.statusCode ?? 200, { 'content-type': 'application/json', ...out.headers });
    res.end(out.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
