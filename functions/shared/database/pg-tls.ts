import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type ConnectionOptions, rootCertificates } from 'node:tls';
import { ConfigError } from '../errors.js';

/**
 * libpq's sslmode values that never fall back to plaintext. `allow` and `prefer` are refused: either
 * can end in a clear-text session without anyone noticing, which is what this module prevents.
 */
const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/**
 * Amazon's CA bundle in the Lambda Node.js runtimes (20 and later no longer load it by default).
 * RDS and Aurora server certificates chain to the RDS CAs it holds, and AWS keeps it current as
 * those CAs rotate, so no bundle is shipped in (and no 160 KB added to) the function's code.
 */
const LAMBDA_AMAZON_CA_FILE = '/var/runtime/ca-cert.pem';

export function parseSslMode(value: string, where: string): SslMode {
  if ((SSL_MODES as readonly string[]).includes(value)) return value as SslMode;
  throw new ConfigError(
    `${where}: sslmode "${value}" is not supported; use one of ${SSL_MODES.join(', ')} ` +
      '(allow and prefer can silently fall back to plaintext)',
  );
}

export interface PgTls {
  readonly mode: SslMode;
  /** What `pg` takes as its `ssl` option. */
  readonly ssl: false | ConnectionOptions;
  /** The URL without sslmode/sslrootcert, so `pg` cannot apply its own reading of them. */
  readonly url: string;
  /** Which CAs a verify mode trusts, for the error when verification fails. */
  readonly trust?: string;
}

export interface PgTlsOptions {
  /** Trusted when the URL names no `sslrootcert`, beside Node's roots. @default LAMBDA_AMAZON_CA_FILE */
  readonly defaultCaFile?: string;
}

/**
 * TLS settings for a postgres:// URL, libpq-style: `sslmode` (default `disable` for a loopback host,
 * where the local runtime serves PGlite, and `verify-full` for any other host) and `sslrootcert`, a
 * file of PEM CA certificates to trust instead of the defaults.
 */
export function pgTls(connectionString: string, options: PgTlsOptions = {}): PgTls {
  const url = new URL(connectionString);
  const mode = parseSslMode(
    url.searchParams.get('sslmode') ?? (isLocal(url) ? 'disable' : 'verify-full'),
    'connection string',
  );
  const rootCert = url.searchParams.get('sslrootcert');
  url.searchParams.delete('sslmode');
  url.searchParams.delete('sslrootcert');
  const stripped = url.toString();
  if (mode === 'disable') return { mode, ssl: false, url: stripped };
  // libpq: `require` with a root certificate given verifies the chain, as verify-ca does.
  if (mode === 'require' && rootCert === null)
    return { mode, ssl: { rejectUnauthorized: false }, url: stripped };
  const defaultFile = options.defaultCaFile ?? LAMBDA_AMAZON_CA_FILE;
  const ca = rootCert === null ? defaultCa(defaultFile) : readCa(rootCert);
  const trust =
    rootCert !== null
      ? `sslrootcert ${rootCert}`
      : `Node's roots and ${defaultFile}${existsSync(defaultFile) ? '' : ' (missing: set sslrootcert)'}`;
  const host = hostOf(url);
  if (mode === 'verify-full') {
    const ssl = { ca, rejectUnauthorized: true, ...(isIP(host) ? {} : { servername: host }) };
    return { mode, ssl, url: stripped, trust };
  }
  // verify-ca: the chain must lead to a trusted CA, the name in the certificate may differ.
  const ssl = { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { mode, ssl, url: stripped, trust };
}

function defaultCa(file: string): string[] {
  return existsSync(file) ? [...rootCertificates, readFileSync(file, 'utf8')] : [...rootCertificates];
}

function readCa(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`sslrootcert "${file}" cannot be read: ${(cause as Error).message}`, { cause });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`sslrootcert "${file}" holds no PEM certificate`);
  }
  return pem;
}

function hostOf(url: URL): string {
  // URL keeps IPv6 literals in brackets; TLS compares names without them.
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Loopback, or a Unix socket (a host that is a directory path, percent-encoded in the URL): the
 * local runtime's staged clones are served on a socket nothing else can reach.
 */
function isLocal(url: URL): boolean {
  const host = decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1');
  if (host.startsWith('/')) return true;
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
