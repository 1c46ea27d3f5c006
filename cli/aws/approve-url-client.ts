import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { NodeSha256 } from '../../runtime/server/node-sha256.js';
import { CliError, ExitCode } from '../client/cli-error.js';

export interface ApproveUrlClientOptions {
  /** The stack's `ApproveUrl` output: a Lambda function URL with `AWS_IAM` auth. */
  readonly url: string;
  /** @default the default AWS credential chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** @default the region in the function URL's host name, else AWS_REGION */
  readonly region?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface DecisionRequest {
  readonly approvalId: string;
  readonly decision: 'approve' | 'reject';
  readonly comment: string;
}

/** What the approve function answered: its status and its JSON body, untouched. */
export interface UrlAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Function URL hosts are `<url-id>.lambda-url.<region>.on.aws`. */
const FUNCTION_URL_HOST = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

/**
 * The stack's ApproveUrl, or what is wrong with it in one line. One rule for the client and
 * `tollgate doctor --aws`: https, since a signature sent in clear text could be replayed for 15
 * minutes (plain http only on loopback, where a local stand-in of the function URL listens).
 */
export function parseApproveUrl(value: string): URL | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `the stack's ApproveUrl "${value}" is not a URL`;
  }
  if (url.protocol !== 'https:' && !isLoopback(url.hostname))
    return `the stack's ApproveUrl must be https, got ${url.origin}`;
  return url;
}

/**
 * Sends a decision to the deployed approve function as the person at the keyboard.
 *
 * The function URL is `AWS_IAM`-authenticated, so the request is SigV4-signed (service `lambda`)
 * with the caller's own credentials, and the function takes the approver's identity from the
 * verified signature, never from the body. That is why neither the CLI nor the console can decide
 * "as" someone else on AWS: the identity rules are enforced where the record lives.
 */
export class ApproveUrlClient {
  private readonly url: URL;
  private readonly signer: SignatureV4;
  private readonly send: typeof fetch;
  private readonly now: () => Date;

  constructor(options: ApproveUrlClientOptions) {
    const url = parseApproveUrl(options.url);
    if (typeof url === 'string') throw new CliError(url, ExitCode.Failure);
    const region =
      options.region ??
      FUNCTION_URL_HOST.exec(url.hostname)?.[1] ??
      process.env.AWS_REGION ??
      process.env.AWS_DEFAULT_REGION;
    if (!region) {
      throw new CliError(`cannot tell the region of ${url.hostname}; set AWS_REGION`, ExitCode.Usage);
    }
    this.url = url;
    this.signer = new SignatureV4({
      service: 'lambda',
      region,
      credentials: options.credentials ?? fromNodeProviderChain(),
      sha256: NodeSha256,
    });
    this.send = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? (() => new Date());
  }

  async decide(request: DecisionRequest): Promise<UrlAnswer> {
    const body = JSON.stringify({
      approvalId: request.approvalId,
      decision: request.decision,
      comment: request.comment,
    });
    const path = this.url.pathname || '/';
    let signed: { headers: Record<string, string> };
    try {
      signed = await this.signer.sign(
        {
          method: 'POST',
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port ? Number(this.url.port) : undefined,
          path,
          query: {},
          headers: { host: this.url.host, 'content-type': 'application/json' },
          body,
        },
        { signingDate: this.now() },
      );
    } catch (error) {
      throw new CliError(
        `cannot sign the approval request: ${firstLine(error)}; check your AWS credentials`,
        ExitCode.Unreachable,
        { cause: error },
      );
    }
    // fetch sets Host itself and refuses to be told it.
    const { host: _host, ...headers } = signed.headers;
    let response: Response;
    try {
      response = await this.send(new URL(path, this.url), { method: 'POST', headers, body });
    } catch (error) {
      throw new CliError(`cannot reach ${this.url.origin}: ${firstLine(error)}`, ExitCode.Unreachable, {
        cause: error,
      });
    }
    const text = await response.text();
    return { status: response.status, body: parseBody(text, response.status) };
  }
}

/** Lambda's own refusals (IAM, throttling) are JSON `{"Message": …}`; anything else is kept as text. */
function parseBody(text: string, status: number): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { error: `HTTP ${status}`, message: text.slice(0, 300) };
}

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

function firstLine(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  const message = (error as Error).message?.split('\n')[0] ?? String(error);
  return cause ? `${message} (${cause})` : message;
}
