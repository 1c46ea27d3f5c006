// A minimal Postgres client for the orders-service: the release is dependency-free (scripts/build.mjs
// packs src/ only), so it speaks the wire protocol itself. Simple Query protocol, SCRAM-SHA-256 or
// cleartext password, text results; one connection per query, which is plenty for a demo app.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { connect } from 'node:net';

/** Runs one SQL statement against DATABASE_URL; resolves to rows of {column: text | null}. */
export function query(url, sql, timeoutMs = 5_000) {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port || 5432), target.hostname);
    const session = new Session(socket, {
      user: decodeURIComponent(target.username),
      password: decodeURIComponent(target.password),
      database: target.pathname.slice(1) || 'postgres',
      sql,
    });
    const timer = setTimeout(
      () => socket.destroy(new Error(`no answer from the database within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    session.done = (error, rows) => {
      clearTimeout(timer);
      socket.end(message('X', Buffer.alloc(0)));
      if (error) reject(error);
      else resolve(rows);
    };
    socket.once('connect', () => session.start());
  });
}

function message(type, body) {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'ascii');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const cstring = (s) => Buffer.from(`${s}\0`, 'utf8');

class Session {
  #buffer = Buffer.alloc(0);
  #fields = [];
  #rows = [];
  #error;
  #scram;

  constructor(socket, options) {
    this.socket = socket;
    this.options = options;
    socket.on('data', (chunk) => this.#receive(chunk));
  }

  start() {
    const body = Buffer.concat([
      Buffer.from([0, 3, 0, 0]), // protocol 3.0
      cstring('user'),
      cstring(this.options.user),
      cstring('database'),
      cstring(this.options.database),
      Buffer.from([0]),
    ]);
    const length = Buffer.alloc(4);
    length.writeInt32BE(body.length + 4);
    this.socket.write(Buffer.concat([length, body]));
  }

  #receive(chunk) {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 5) {
      const length = this.#buffer.readInt32BE(1);
      if (this.#buffer.length < length + 1) return;
      const type = String.fromCharCode(this.#buffer[0]);
      const body = this.#buffer.subarray(5, length + 1);
      this.#buffer = this.#buffer.subarray(length + 1);
      this.#handle(type, body);
    }
  }

  #handle(type, body) {
    if (type === 'R') return this.#authenticate(body);
    if (type === 'E') {
      this.#error = errorOf(body);
      // Before authentication ends there is no ReadyForQuery to wait for.
      if (!this.#fields.ready) this.done(this.#error);
      return;
    }
    if (type === 'Z') {
      if (!this.#fields.ready) {
        this.#fields = Object.assign([], { ready: true });
        this.socket.write(message('Q', cstring(this.options.sql)));
        return;
      }
      return this.done(this.#error, this.#rows);
    }
    if (type === 'T') return this.#describe(body);
    if (type === 'D') return this.#row(body);
  }

  #authenticate(body) {
    const code = body.readInt32BE(0);
    if (code === 0 || code === 12) return; // AuthenticationOk, SASLFinal
    if (code === 3) return this.socket.write(message('p', cstring(this.options.password)));
    if (code === 10) {
      const nonce = randomBytes(18).toString('base64');
      const first = `n=,r=${nonce}`;
      this.#scram = { nonce, first };
      const data = Buffer.from(`n,,${first}`);
      const size = Buffer.alloc(4);
      size.writeInt32BE(data.length);
      return this.socket.write(message('p', Buffer.concat([cstring('SCRAM-SHA-256'), size, data])));
    }
    if (code === 11) {
      const server = body.subarray(4).toString('utf8');
      const attrs = Object.fromEntries(server.split(',').map((kv) => [kv[0], kv.slice(2)]));
      if (!attrs.r?.startsWith(this.#scram.nonce))
        return this.done(new Error('database sent a bad SCRAM nonce'));
      const salted = pbkdf2Sync(
        this.options.password,
        Buffer.from(attrs.s, 'base64'),
        Number(attrs.i),
        32,
        'sha256',
      );
      const clientKey = createHmac('sha256', salted).update('Client Key').digest();
      const storedKey = createHash('sha256').update(clientKey).digest();
      const withoutProof = `c=biws,r=${attrs.r}`;
      const auth = `${this.#scram.first},${server},${withoutProof}`;
      const signature = createHmac('sha256', storedKey).update(auth).digest();
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i])).toString('base64');
      return this.socket.write(message('p', Buffer.from(`${withoutProof},p=${proof}`)));
    }
    this.done(new Error(`unsupported database authentication (code ${code})`));
  }

  #describe(body) {
    const count = body.readInt16BE(0);
    const names = [];
    let at = 2;
    for (let i = 0; i < count; i += 1) {
      const end = body.indexOf(0, at);
      names.push(body.subarray(at, end).toString('utf8'));
      at = end + 1 + 18;
    }
    this.#fields = Object.assign(names, { ready: true });
  }

  #row(body) {
    const count = body.readInt16BE(0);
    const row = {};
    let at = 2;
    for (let i = 0; i < count; i += 1) {
      const size = body.readInt32BE(at);
      at += 4;
      row[this.#fields[i]] = size < 0 ? null : body.subarray(at, at + size).toString('utf8');
      if (size > 0) at += size;
    }
    this.#rows.push(row);
  }
}

/** ErrorResponse fields: S severity, C code, M message. */
function errorOf(body) {
  const fields = {};
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const end = body.indexOf(0, at + 1);
    fields[String.fromCharCode(body[at])] = body.subarray(at + 1, end).toString('utf8');
    at = end + 1;
  }
  return Object.assign(new Error(`${fields.C ?? 'error'} ${fields.M ?? 'database error'}`), {
    code: fields.C,
  });
}
