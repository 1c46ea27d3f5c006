import { DATABASE_USER } from './database-password.js';
import { SCRAM_MECHANISM, ScramExchange, type ScramVerifier } from './pg-scram.js';
import {
  CANCEL_REQUEST,
  cstring,
  errorResponse,
  GSSENC_REQUEST,
  int32,
  message,
  PROTOCOL_V3,
  readCString,
  readStartupParameters,
  SSL_REQUEST,
} from './pg-wire-messages.js';

/** What the connection does with one message of the startup phase. */
export type AuthStep =
  /** Send `data` (may be empty) and keep reading. */
  | { readonly kind: 'continue'; readonly data: Buffer }
  /** Send `data` (SASL final, AuthenticationOk ... ReadyForQuery); the client may now query. */
  | { readonly kind: 'authenticated'; readonly data: Buffer }
  /** Send `data` (an ErrorResponse) and close. */
  | { readonly kind: 'refused'; readonly data: Buffer }
  /** Close without a word: a CancelRequest, which PGlite has no backend process to signal. */
  | { readonly kind: 'close' };

const Phase = { Startup: 'startup', SaslInitial: 'sasl-initial', SaslResponse: 'sasl-response' } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

/**
 * Runs the start of one connection: SSL/GSS requests (refused: loopback only, no TLS), the startup
 * message, then SCRAM-SHA-256 against the volume's password. Only after that does the connection
 * reach PGlite, which itself trusts everyone and would make any client a superuser.
 *
 * A wrong user name goes through the whole exchange and fails at the end with the same 28P01 as a
 * wrong password, as Postgres does, so the answer does not reveal which one was wrong.
 */
export class StartupAuthenticator {
  private phase: Phase = Phase.Startup;
  private user = '';
  private readonly exchange: ScramExchange;

  /**
   * @param verifier the volume's salted keys.
   * @param ready what PGlite answers to a startup message (AuthenticationOk, ParameterStatus...,
   *   BackendKeyData, ReadyForQuery), captured once when the volume is served.
   */
  constructor(
    verifier: ScramVerifier,
    private readonly ready: Buffer,
  ) {
    this.exchange = new ScramExchange(verifier);
  }

  /** Until the startup message, frontend messages have no type byte. */
  get untyped(): boolean {
    return this.phase === Phase.Startup;
  }

  handle(msg: Buffer): AuthStep {
    if (this.phase === Phase.Startup) return this.startup(msg);
    if (msg[0] !== 0x70 /* p: PasswordMessage / SASL response */) return this.refuse();
    const body = msg.subarray(5);
    if (this.phase === Phase.SaslInitial) {
      const [mechanism, at] = readCString(body, 0);
      const length = at + 4 <= body.length ? body.readInt32BE(at) : -1;
      if (mechanism !== SCRAM_MECHANISM || length < 0 || at + 4 + length > body.length) return this.refuse();
      const serverFirst = this.exchange.serverFirst(body.toString('utf8', at + 4, at + 4 + length));
      if (serverFirst === undefined) return this.refuse();
      this.phase = Phase.SaslResponse;
      return { kind: 'continue', data: authentication(11, Buffer.from(serverFirst)) };
    }
    const serverFinal = this.exchange.serverFinal(body.toString('utf8'));
    if (serverFinal === undefined || this.user !== DATABASE_USER) return this.refuse();
    return {
      kind: 'authenticated',
      data: Buffer.concat([authentication(12, Buffer.from(serverFinal)), this.ready]),
    };
  }

  private startup(msg: Buffer): AuthStep {
    const code = msg.length >= 8 ? msg.readInt32BE(4) : 0;
    if (msg.length === 8 && (code === SSL_REQUEST || code === GSSENC_REQUEST)) {
      return { kind: 'continue', data: Buffer.from('N') };
    }
    if (code === CANCEL_REQUEST) return { kind: 'close' };
    if (code >> 16 !== PROTOCOL_V3 >> 16) {
      return {
        kind: 'refused',
        data: errorResponse('FATAL', '0A000', `unsupported frontend protocol ${code >> 16}.${code & 0xffff}`),
      };
    }
    const params = readStartupParameters(msg);
    this.user = params.user ?? '';
    if (!this.user) {
      return {
        kind: 'refused',
        data: errorResponse('FATAL', '28000', 'no PostgreSQL user name specified in startup packet'),
      };
    }
    this.phase = Phase.SaslInitial;
    const sasl = authentication(10, Buffer.concat([cstring(SCRAM_MECHANISM), Buffer.from([0])]));
    return { kind: 'continue', data: Buffer.concat([negotiate(code, params), sasl]) };
  }

  private refuse(): AuthStep {
    return {
      kind: 'refused',
      data: errorResponse('FATAL', '28P01', `password authentication failed for user "${this.user}"`),
    };
  }
}

/** An Authentication message: 10 = SASL (mechanisms), 11 = SASLContinue, 12 = SASLFinal. */
function authentication(code: number, payload: Buffer): Buffer {
  return message('R', Buffer.concat([int32(code), payload]));
}

/**
 * NegotiateProtocolVersion, as Postgres sends it, when a client asks for a newer 3.x minor version
 * or for `_pq_.` protocol options: this server speaks 3.0 and knows no options.
 */
function negotiate(code: number, params: Record<string, string>): Buffer {
  const options = Object.keys(params).filter((k) => k.startsWith('_pq_.'));
  if ((code & 0xffff) === 0 && options.length === 0) return Buffer.alloc(0);
  return message('v', Buffer.concat([int32(0), int32(options.length), ...options.map(cstring)]));
}
