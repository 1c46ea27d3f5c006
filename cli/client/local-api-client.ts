import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_FILE } from '../../runtime/local-api/auth.js';
import { notRunning } from './cli-context.js';
import { CliError } from './cli-error.js';

/**
 * The local runtime's `/api/*` routes, authenticated with the data directory's secret: reading it
 * is what proves the CLI runs as the user who owns `.tollgate/`.
 */
export class LocalApiClient {
  private readonly secret: string;

  constructor(
    private readonly endpoint: string,
    dataDir: string,
    private readonly user: string,
  ) {
    const file = join(dataDir, SECRET_FILE);
    if (!existsSync(file)) throw notRunning(endpoint);
    this.secret = readFileSync(file, 'utf8').trim();
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.endpoint), {
        method,
        headers: {
          'x-tollgate-secret': this.secret,
          'x-tollgate-user': this.user,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw notRunning(this.endpoint);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CliError(`${method} ${path} answered ${res.status} with a body that is not JSON`);
    }
    if (!res.ok) {
      const { error, reason } = (parsed ?? {}) as { error?: string; reason?: string };
      throw new CliError(
        `${reason ?? `${method} ${path} failed with ${res.status}`}${error ? ` (${error})` : ''}`,
      );
    }
    return parsed as T;
  }
}
