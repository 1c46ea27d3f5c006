import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private CA and one server certificate it issued, as PEM, made by the openssl CLI. */
export interface TestCa {
  /** The CA certificate: what a client must trust. */
  readonly caPem: string;
  readonly serverKeyPem: string;
  readonly serverCertPem: string;
  /** Directory holding `ca.pem` (for sslrootcert); removed by `remove()`. */
  readonly dir: string;
  readonly caFile: string;
  remove(): void;
}

/**
 * Node can parse certificates but not issue them, so the test CA comes from `openssl` (in the base
 * image). EC P-256 keys: generated in milliseconds. The server certificate names `dnsNames` only,
 * so a client connecting by IP address sees a name mismatch under verify-full.
 */
export function createTestCa(dnsNames: readonly string[] = ['localhost'], name = 'Tollgate Test CA'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-test-ca-'));
  const file = (f: string) => join(dir, f);
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
  ]);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${dnsNames[0]}`]);
  writeFileSync(
    file('server.ext'),
    `basicConstraints=CA:FALSE\nsubjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(',')}\n`,
  );
  openssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
  return {
    caPem: readFileSync(file('ca.pem'), 'utf8'),
    serverKeyPem: readFileSync(file('server.key'), 'utf8'),
    serverCertPem: readFileSync(file('server.pem'), 'utf8'),
    dir,
    caFile: file('ca.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
