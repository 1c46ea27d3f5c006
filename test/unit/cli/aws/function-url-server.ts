import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUrlHandler } from '../../../../functions/approve/handler.js';
import type { ApprovalPortsFactory } from '../../../../functions/shared/approvals/approval-ports.js';
import { verifySigV4 } from '../../../../runtime/server/sigv4-verifier.js';

export interface Principal {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** What IAM resolves the key to: `requestContext.authorizer.iam.userArn`. */
  readonly arn: string;
}

/**
 * A Lambda function URL with `AuthType: AWS_IAM` in front of the real approve URL handler. The
 * AWS service cannot be reached here, so this plays its two parts: verify the SigV4 signature
 * (with the same verifier the local engine uses) and resolve the key to a principal. A request
 * that fails either gets Lambda's own answer, `403 {"Message":"Forbidden"}`, and never reaches the
 * function.
 */
export async function startFunctionUrl(options: {
  readonly principals: readonly Principal[];
  readonly ports: ApprovalPortsFactory;
  readonly now: () => Date;
}): Promise<{ url: string; calls: string[]; close(): Promise<void> }> {
  const handler = createUrlHandler(options.ports);
  const calls: string[] = [];
  let requests = 0;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const key = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    const principal = options.principals.find((p) => p.accessKeyId === key);
    try {
      if (!principal) throw new Error('unknown key');
      // The stand-in stack lives in whatever region the test's CLI is configured for.
      const region = process.env.AWS_REGION || 'eu-west-1';
      await verifySigV4(
        { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
        { credentials: principal, service: 'lambda', region, now: options.now() },
      );
    } catch {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"Message":"Forbidden"}');
      return;
    }
    calls.push(principal.arn);
    const answer = (await handler(
      {
        requestContext: {
          requestId: `req-${++requests}`,
          http: { method: req.method },
          authorizer: { iam: { userArn: principal.arn } },
        },
        body: body.toString('utf8'),
        isBase64Encoded: false,
      },
      { awsRequestId: `req-${requests}` } as never,
    )) as { statusCode: number; headers: Record<string, string>; body: string };
    res.writeHead(answer.statusCode, answer.headers).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
