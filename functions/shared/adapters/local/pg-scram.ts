import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as Postgres speaks it: what libpq, node
 * `pg`, psql and pg_dump use by default. The password never crosses the socket, and the server
 * keeps only salted keys. Channel binding (SCRAM-SHA-256-PLUS) needs TLS, which a loopback-only
 * listener does not offer, so clients are told "n,,"/"y,," and anything asking for binding fails.
 */
export const SCRAM_MECHANISM = 'SCRAM-SHA-256';

export interface ScramVerifier {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/**
 * Salted keys for `password`. Postgres applies SASLprep to the password first; Tollgate's generated
 * passwords are base64url, which SASLprep leaves as they are. 4096 iterations is Postgres' default.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): ScramVerifier {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return { salt, iterations, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
}

/** One authentication attempt: `serverFirst` then `serverFinal`; any `undefined` means refuse. */
export class ScramExchange {
  private clientFirstBare?: string;
  private serverFirstMessage?: string;
  private nonce?: string;
  private gs2Header?: string;

  constructor(
    private readonly verifier: ScramVerifier,
    private readonly serverNonce = randomBytes(18).toString('base64'),
  ) {}

  /** Answers the client-first-message (`n,,n=,r=<nonce>`); undefined when it is malformed. */
  serverFirst(clientFirst: string): string | undefined {
    const match = /^([ny]),(?:a=[^,]*)?,(.*)$/s.exec(clientFirst);
    if (!match) return undefined;
    const bare = match[2]!;
    const clientNonce = /(?:^|,)r=([\x21-\x2b\x2d-\x7e]+)(?:,|$)/.exec(bare)?.[1];
    if (!clientNonce) return undefined;
    this.gs2Header = clientFirst.slice(0, clientFirst.length - bare.length);
    this.clientFirstBare = bare;
    this.nonce = clientNonce + this.serverNonce;
    this.serverFirstMessage = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirstMessage;
  }

  /** Checks the client's proof; returns the server-final-message (`v=...`) only when it is right. */
  serverFinal(clientFinal: string): string | undefined {
    if (!this.serverFirstMessage || !this.gs2Header || !this.nonce) return undefined;
    const match = /^(c=([^,]*),r=([^,]*)(?:,[^,]*)*?),p=([A-Za-z0-9+/=]+)$/.exec(clientFinal);
    if (!match) return undefined;
    const [, withoutProof, binding, nonce, proofText] = match;
    if (binding !== Buffer.from(this.gs2Header).toString('base64') || nonce !== this.nonce) return undefined;
    const proof = Buffer.from(proofText!, 'base64');
    if (proof.length !== this.verifier.storedKey.length) return undefined;
    const authMessage = `${this.clientFirstBare},${this.serverFirstMessage},${withoutProof}`;
    const signature = hmac(this.verifier.storedKey, authMessage);
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i += 1) clientKey[i] = proof[i]! ^ signature[i]!;
    if (!timingSafeEqual(sha256(clientKey), this.verifier.storedKey)) return undefined;
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
