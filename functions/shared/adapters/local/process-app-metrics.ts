import { get } from 'node:http';
import { InvalidInputError, NotFoundError, TollgateError } from '../../errors.js';
import type { AppMetrics, PrometheusSample } from '../../ports/app-metrics.js';
import { parseExposition } from '../../prometheus/exposition.js';

/** The loopback port of the process running `release` in `environment`; throws NotFound when none does. */
export type ReleasePortLookup = (environment: string, release: string) => Promise<number>;

/** A scrape larger than this is not a metrics page; it is refused instead of buffered. */
const MAX_BYTES = 4 * 1024 * 1024;

/**
 * The local AppMetrics: GETs the metrics path of one release's own process, straight on its
 * ephemeral port, not through the environment's proxy, which would answer from whichever release
 * the weights picked. The text is parsed by the maintained parser (see prometheus/exposition.ts).
 */
export class ProcessAppMetrics implements AppMetrics {
  constructor(
    private readonly lookup: ReleasePortLookup,
    private readonly timeoutMs = 5_000,
  ) {}

  async scrape(environment: string, release: string, path: string): Promise<PrometheusSample[]> {
    if (!/^\/\S*$/.test(path)) throw new InvalidInputError(`metrics path must start with "/", got "${path}"`);
    if (!release.trim())
      throw new InvalidInputError('a scrape needs the release version; got an empty string');
    const port = await this.lookup(environment, release);
    const { status, body } = await fetchText(port, path, this.timeoutMs);
    const where = `${release} in ${environment} (GET ${path})`;
    if (status === 404)
      throw new NotFoundError(`${where} answered 404: the app does not expose metrics there`);
    if (status !== 200) throw new TollgateError(`${where} answered ${status}, not 200`);
    try {
      return parseExposition(body);
    } catch (error) {
      throw new InvalidInputError(`${where}: ${(error as Error).message}`);
    }
  }
}

function fetchText(port: number, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = get(
      {
        host: '127.0.0.1',
        port,
        path,
        timeout: timeoutMs,
        headers: { accept: 'text/plain;version=0.0.4', connection: 'close' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BYTES) req.destroy(new Error(`more than ${MAX_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.once('end', () =>
          done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.once('error', (error) => fail(scrapeError(port, path, error)));
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', (error) => fail(scrapeError(port, path, error)));
  });
}

function scrapeError(port: number, path: string, error: NodeJS.ErrnoException): TollgateError {
  return new TollgateError(`scraping 127.0.0.1:${port}${path} failed: ${error.code ?? error.message}`, {
    cause: error,
  });
}
