import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type SFNClient, ValidateStateMachineDefinitionCommand } from '@aws-sdk/client-sfn';

/**
 * One Step Functions endpoint built from two real implementations, for a client that knows one
 * endpoint per service (AWS_ENDPOINT_URL_SFN).
 *
 * Models: every Step Functions call is answered by moto_server (state machines CloudFormation
 * created, DescribeStateMachine returning the definition as deployed, moto's own errors), except
 * ValidateStateMachineDefinition, which moto 5.2.1 does not implement (its responses.py has no
 * route for it and answers NotImplementedError as an HTML page; the LocalStack provider it vendors
 * is never wired in). That call is sent on, re-signed with the engine's own credentials, to
 * Tollgate's engine (`tollgate engine`), whose validator is the one CreateStateMachine uses.
 *
 * Does not model: AWS's full rule set (the engine returns ERROR diagnostics only, never WARNING,
 * and its codes and messages are its own), `maxResults`/`truncated`, or signature checks on the
 * calls moto answers (moto accepts any credentials).
 */
export interface SfnValidationRouter {
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startSfnValidationRouter(options: {
  readonly moto: string;
  /** An SFN client for the engine, with the engine's endpoint and credentials. */
  readonly engine: SFNClient;
}): Promise<SfnValidationRouter> {
  const server = createServer((req, res) => {
    route(req, res, options).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`sfn validation router: ${error.message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  options: { moto: string; engine: SFNClient },
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  if (req.headers['x-amz-target'] === 'AWSStepFunctions.ValidateStateMachineDefinition')
    return validateOnEngine(options.engine, body, res);
  return forwardToMoto(options.moto, req, body, res);
}

async function validateOnEngine(engine: SFNClient, body: Buffer, res: ServerResponse): Promise<void> {
  const contentType = 'application/x-amz-json-1.0';
  try {
    const { $metadata: _, ...answer } = await engine.send(
      new ValidateStateMachineDefinitionCommand(JSON.parse(body.toString('utf8'))),
    );
    res.writeHead(200, { 'content-type': contentType }).end(JSON.stringify(answer));
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    res
      .writeHead(e.$metadata?.httpStatusCode ?? 500, {
        'content-type': contentType,
        'x-amzn-ErrorType': e.name,
      })
      .end(JSON.stringify({ __type: e.name, message: e.message }));
  }
}

function forwardToMoto(moto: string, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  const target = new URL(moto);
  return new Promise((resolve, reject) => {
    const out = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 500, reply.headers);
        reply.pipe(res);
        reply.on('end', resolve);
        reply.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}
