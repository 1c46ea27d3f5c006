import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, TollgateError } from '../../errors.js';
import { checkCaBundle, type FetchLike, tlsFetch } from './tls-fetch.js';

/** Purity's error body: `{"errors":[{"context":"vol1","message":"..."}]}`. */
export interface FlashArrayErrorItem {
  readonly context?: string;
  readonly message: string;
}

export class FlashArrayError extends TollgateError {
  constructor(
    readonly status: number,
    readonly errors: readonly FlashArrayErrorItem[],
    what: string,
  ) {
    const detail = errors.map((e) => (e.context ? `${e.context}: ${e.message}` : e.message)).join('; ');
    super(`FlashArray ${what} failed (HTTP ${status}): ${detail || 'no error detail'}`);
    this.name = 'Tollgate.FlashArrayError';
  }
}

export type Query = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

export interface FlashArrayClientOptions {
  /** Management address, e.g. `https://array.example.internal`. */
  readonly endpoint: string;
  /** Called at login; the token is never kept beyond the session exchange. */
  readonly apiToken: () => Promise<string>;
  /** REST 2.x minor version; 2.17 is the oldest with every call used here (tags on snapshots). */
  readonly apiVersion?: string;
  /**
   * PEM certificates to trust for the endpoint instead of Node's bundled roots: arrays usually carry
   * a certificate from an internal CA. Read once, at the first request.
   * @default Node's bundled roots
   */
  readonly caBundle?: () => Promise<string | undefined>;
  /**
   * Accept an `http://` endpoint. Only tests against a local fake set this: the API token and the
   * session token would otherwise cross the network in clear.
   * @default false
   */
  readonly allowPlaintext?: boolean;
  readonly fetch?: FetchLike;
}

interface ListBody<T> {
  readonly items?: T[];
  readonly continuation_token?: string | null;
}

/**
 * Thin REST 2.x client: session login, JSON requests, Purity error bodies, pagination. A 401 means
 * the session expired (they time out when idle), so it logs in again once and retries.
 */
export class FlashArrayClient {
  private readonly base: string;
  private fetcher: Promise<FetchLike> | undefined;
  private session: string | undefined;

  constructor(private readonly options: FlashArrayClientOptions) {
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch {
      throw new ConfigError(
        `flasharray endpoint "${options.endpoint}" is not a URL; set database.provider.endpoint`,
      );
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowPlaintext)) {
      throw new ConfigError(
        `flasharray endpoint "${options.endpoint}" must be https:// (the API token would cross the network in clear)`,
      );
    }
    const version = options.apiVersion ?? '2.17';
    if (!/^2\.\d+$/.test(version))
      throw new ConfigError(`flasharray apiVersion must look like "2.17", got "${version}"`);
    this.base = `${url.origin}/api/${version}`;
  }

  private fetchFn(url: string, init: RequestInit): Promise<Response> {
    if (!this.fetcher) {
      const { fetch: given, caBundle } = this.options;
      const fetcher = given
        ? Promise.resolve(given)
        : (caBundle?.() ?? Promise.resolve(undefined)).then(tlsFetch);
      // A failed secret read is retried by the next call instead of being cached for the container.
      fetcher.catch(() => {
        if (this.fetcher === fetcher) this.fetcher = undefined;
      });
      this.fetcher = fetcher;
    }
    return this.fetcher.then((f) => f(url, init));
  }

  async request<T>(method: string, path: string, query: Query = {}, body?: unknown): Promise<ListBody<T>> {
    const attempt = async (): Promise<Response> =>
      this.fetchFn(`${this.base}${path}${toSearch(query)}`, {
        method,
        headers: {
          'x-auth-token': await this.login(),
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    let response = await attempt();
    if (response.status === 401) {
      this.session = undefined;
      response = await attempt();
    }
    return parse<T>(response, `${method} ${path}`);
  }

  /** Every page of a GET, following `continuation_token`. */
  async list<T>(path: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10_000; page += 1) {
      const body = await this.request<T>('GET', path, { ...query, limit: 500, continuation_token: token });
      items.push(...(body.items ?? []));
      token = body.continuation_token ?? undefined;
      if (!token) return items;
    }
    throw new TollgateError(`FlashArray GET ${path}: pagination did not end after 10000 pages`);
  }

  private async login(): Promise<string> {
    if (this.session) return this.session;
    const response = await this.fetchFn(`${this.base}/login`, {
      method: 'POST',
      headers: { 'api-token': await this.options.apiToken(), accept: 'application/json' },
    });
    if (!response.ok) await parse(response, 'login');
    const token = response.headers.get('x-auth-token');
    if (!token)
      throw new FlashArrayError(
        response.status,
        [{ message: 'no x-auth-token header in the login response' }],
        'login',
      );
    this.session = token;
    return token;
  }
}

async function parse<T>(response: Response, what: string): Promise<ListBody<T>> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { errors: [{ message: text.slice(0, 200) }] };
  }
  if (!response.ok) {
    const errors = (body as { errors?: FlashArrayErrorItem[] }).errors ?? [];
    throw new FlashArrayError(response.status, errors, what);
  }
  return body as ListBody<T>;
}

function toSearch(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/**
 * The FlashArray secret: either the bare API token, or JSON `{"apiToken": "...", "caBundle": "PEM"}`
 * where `caBundle` is the CA (or chain) the array's certificate is issued by. The CA rides in the
 * same secret so the task needs no second secret (nor a grant for one), and rotating the array's
 * certificate is one secret update. Anything else is a configuration error, not something to guess.
 */
export function flashArraySecret(
  secrets: SecretsManagerClient,
  secretId: string,
): { apiToken: () => Promise<string>; caBundle: () => Promise<string | undefined> } {
  const read = async () => parseFlashArraySecret(await secretString(secrets, secretId), secretId);
  return {
    apiToken: async () => (await read()).apiToken,
    caBundle: async () => (await read()).caBundle,
  };
}

/** The API token alone (see flashArraySecret). */
export function apiTokenFromSecret(secrets: SecretsManagerClient, secretId: string): () => Promise<string> {
  return flashArraySecret(secrets, secretId).apiToken;
}

function parseFlashArraySecret(raw: string, secretId: string): { apiToken: string; caBundle?: string } {
  if (!raw.startsWith('{')) return { apiToken: raw };
  let value: { apiToken?: unknown; caBundle?: unknown };
  try {
    value = JSON.parse(raw) as typeof value;
  } catch {
    throw new ConfigError(`secret "${secretId}" starts with "{" but is not JSON`);
  }
  if (typeof value.apiToken !== 'string' || !value.apiToken) {
    throw new ConfigError(`secret "${secretId}" is JSON without a string "apiToken" field`);
  }
  if (value.caBundle === undefined) return { apiToken: value.apiToken };
  if (typeof value.caBundle !== 'string') {
    throw new ConfigError(`secret "${secretId}": "caBundle" must be a PEM string`);
  }
  try {
    checkCaBundle(value.caBundle);
  } catch (error) {
    throw new ConfigError(`secret "${secretId}": ${(error as Error).message}`);
  }
  return { apiToken: value.apiToken, caBundle: value.caBundle };
}

async function secretString(secrets: SecretsManagerClient, secretId: string): Promise<string> {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  const raw = out.SecretString?.trim();
  if (!raw)
    throw new ConfigError(`secret "${secretId}" has no SecretString; store the FlashArray API token as text`);
  return raw;
}
