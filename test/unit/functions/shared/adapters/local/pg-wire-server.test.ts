import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSocketDatabaseUrl } from '../../../../../../functions/shared/adapters/local/database-password.js';
import {
  PgWireServer,
  type PgWireServerOptions,
} from '../../../../../../functions/shared/adapters/local/pg-wire-server.js';
import { tempDir } from '../../../../../support/pglite-server.js';
import { RawPgClient } from '../../../../../support/raw-pg-client.js';

const PASSWORD = 'correct-horse-battery-staple-0123456789abcd';

/** Yields to the event loop until `done()`; no timers, so no test time passes. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !done(); i += 1) await new Promise((r) => setImmediate(r));
  if (!done()) throw new Error('condition never became true');
}

describe('PgWireServer', () => {
  let db: PGlite;
  let server: PgWireServer;
  let port = 0;
  const url = (password = PASSWORD, user = 'postgres') =>
    `postgres://${user}${password ? `:${password}` : ''}@127.0.0.1:${port}/postgres`;
  const clients: pg.Client[] = [];
  const client = async (connectionString = url()) => {
    const c = new pg.Client({ connectionString });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    db = await PGlite.create();
    server = new PgWireServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64, password: PASSWORD });
    port = await server.start();
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.end()));
    await server.stop();
    await db.close();
  });

  describe('authentication', () => {
    it('accepts the right password over SCRAM-SHA-256', async () => {
      // Act
      const c = await client();
      const { rows } = await c.query('SELECT current_user AS who');
      // Assert
      expect(rows).toEqual([{ who: 'postgres' }]);
    });

    it('refuses a wrong password with ErrorResponse 28P01', async () => {
      // Arrange
      const c = new pg.Client({ connectionString: url('not-the-password') });
      // Act
      const error = await c.connect().then(
        () => undefined,
        (e: { code?: string; message: string }) => e,
      );
      // Assert
      expect(error).toMatchObject({
        code: '28P01',
        message: 'password authentication failed for user "postgres"',
      });
    });

    it('refuses the right password for a user other than postgres with the same 28P01', async () => {
      // Act
      const error = await new pg.Client({ connectionString: url(PASSWORD, 'alice') }).connect().then(
        () => undefined,
        (e: { code?: string; message: string }) => e,
      );
      // Assert
      expect(error).toMatchObject({
        code: '28P01',
        message: 'password authentication failed for user "alice"',
      });
    });

    it('refuses a client that answers the SCRAM request without a password with 28P01', async () => {
      // Arrange
      const raw = await RawPgClient.open(port, 'postgres');
      const request = await raw.next();
      // Act: what a client with no password configured sends (an empty PasswordMessage)
      raw.send(serialize.password(''));
      const answer = await raw.next();
      raw.close();
      // Assert
      expect(request).toMatchObject({ name: 'authenticationSASL', mechanisms: ['SCRAM-SHA-256'] });
      expect(answer).toMatchObject({ name: 'error', severity: 'FATAL', code: '28P01' });
    });

    it('fails to connect a node pg client with no password', async () => {
      // Act
      const attempt = new pg.Client({ connectionString: url('') }).connect();
      // Assert
      await expect(attempt).rejects.toThrow(/password/);
    });
  });

  describe('sessions', () => {
    it('keeps a SET search_path in the client that ran it and out of every other client', async () => {
      // Arrange
      const a = await client();
      const b = await client();
      // Act
      await a.query('SET search_path = nowhere');
      const inB = (await b.query('SHOW search_path')).rows[0].search_path;
      const inA = (await a.query('SHOW search_path')).rows[0].search_path;
      const inC = (await (await client()).query('SHOW search_path')).rows[0].search_path;
      // Assert
      expect(inA).toBe('nowhere');
      expect(inB).not.toBe('nowhere');
      expect(inC).toBe(inB);
    });

    it('keeps SET ROLE and set_config(..., false) per client', async () => {
      // Arrange
      const a = await client();
      const b = await client();
      // Act
      await a.query("SET ROLE pg_read_all_data; SELECT set_config('statement_timeout', '1234', false)");
      const inB = (await b.query("SELECT current_user AS who, current_setting('statement_timeout') AS t"))
        .rows[0];
      const inA = (await a.query("SELECT current_user AS who, current_setting('statement_timeout') AS t"))
        .rows[0];
      // Assert
      expect(inB).toEqual({ who: 'postgres', t: '0' });
      expect(inA).toEqual({ who: 'pg_read_all_data', t: '1234ms' });
    });

    it('never passes on a setting a function changed for its caller, although it does not keep it', async () => {
      // Arrange: B defines the function, so A's own SQL never says SET
      const a = await client();
      const b = await client();
      await b.query(
        "CREATE FUNCTION quietly_move() RETURNS int LANGUAGE sql AS $$ SELECT length(pg_catalog.set_config('search_path', 'elsewhere', false)) $$",
      );
      // Act
      await a.query('SELECT quietly_move()');
      const inA = (await a.query('SHOW search_path')).rows[0].search_path;
      const inB = (await b.query('SHOW search_path')).rows[0].search_path;
      const inAAfter = (await a.query('SHOW search_path')).rows[0].search_path;
      // Assert
      expect(inA).toBe('elsewhere');
      expect(inB).not.toBe('elsewhere');
      expect(inAAfter).toBe(inB);
    });

    it('gives two clients the same prepared statement name without one replacing the other', async () => {
      // Arrange
      const a = await client();
      const b = await client();
      // Act
      await a.query({ name: 's1', text: 'SELECT $1::int + 1 AS v', values: [1] });
      await b.query({ name: 's1', text: "SELECT 'b' AS v" });
      const fromA = (await a.query({ name: 's1', text: 'SELECT $1::int + 1 AS v', values: [41] })).rows;
      const fromB = (await b.query({ name: 's1', text: "SELECT 'b' AS v" })).rows;
      // Assert
      expect(fromA).toEqual([{ v: 42 }]);
      expect(fromB).toEqual([{ v: 'b' }]);
    });

    it("runs another client's query only after a half-sent extended-protocol batch reaches its Sync", async () => {
      // Arrange: A parses and binds the unnamed statement but has not executed it yet
      const a = await RawPgClient.open(port, 'postgres', PASSWORD);
      const b = await client();
      a.send(serialize.parse({ text: "SELECT 'a' AS who" }));
      a.send(serialize.bind({}));
      a.send(serialize.flush());
      await a.until('bindComplete');
      // Act: B's simple query would drop A's unnamed portal if it ran now
      const fromB = b.query("SELECT 'b' AS who");
      await until(() => server.stats().waiting === 1);
      a.send(Buffer.concat([serialize.execute({}), serialize.sync()]));
      const fromA = await a.until('readyForQuery');
      a.close();
      // Assert
      expect(fromA.find((m) => m.name === 'dataRow')).toMatchObject({ fields: ['a'] });
      expect((await fromB).rows).toEqual([{ who: 'b' }]);
    });

    it('rolls back the transaction of a client that disconnects in the middle of it', async () => {
      // Arrange
      const setup = await client();
      await setup.query('CREATE TABLE dropped_mid_tx (id int)');
      const a = await RawPgClient.open(port, 'postgres', PASSWORD);
      a.send(serialize.query('BEGIN; INSERT INTO dropped_mid_tx VALUES (1)'));
      await a.until('readyForQuery');
      // Act
      a.close();
      const { rows } = await setup.query('SELECT count(*)::int AS n FROM dropped_mid_tx');
      // Assert
      expect(rows).toEqual([{ n: 0 }]);
      expect(db.isInTransaction()).toBe(false);
    });

    it('answers a client beyond maxConnections with 53300 instead of hanging', async () => {
      // Arrange
      const small = new PgWireServer({
        db,
        host: '127.0.0.1',
        port: 0,
        maxConnections: 1,
        password: PASSWORD,
      });
      const smallPort = await small.start();
      const first = new pg.Client({ connectionString: url().replace(`:${port}/`, `:${smallPort}/`) });
      await first.connect();
      // Act
      const second = new pg.Client({ connectionString: url().replace(`:${port}/`, `:${smallPort}/`) });
      const error = await second.connect().then(
        () => undefined,
        (e: { code?: string }) => e,
      );
      await first.end();
      await small.stop();
      // Assert
      expect(error).toMatchObject({ code: '53300' });
    });
  });

  describe('listen options', () => {
    it('listens on a Unix socket when given a path, resolving with port 0, and still asks for the password', async () => {
      // Arrange
      const dir = tempDir('tollgate-wire-socket-');
      const onSocket = new PgWireServer({
        db,
        path: path.join(dir.path, '.s.PGSQL.5432'),
        maxConnections: 4,
        password: PASSWORD,
      });
      try {
        // Act
        const socketPort = await onSocket.start();
        const c = await client(localSocketDatabaseUrl(dir.path, PASSWORD));
        const { rows } = await c.query('SELECT 1 AS one');
        const wrong = await new pg.Client({ connectionString: localSocketDatabaseUrl(dir.path, 'nope') })
          .connect()
          .then(
            () => undefined,
            (e: { code?: string }) => e,
          );
        // Assert
        expect(socketPort).toBe(0);
        expect(fs.statSync(path.join(dir.path, '.s.PGSQL.5432')).isSocket()).toBe(true);
        expect(rows).toEqual([{ one: 1 }]);
        expect(wrong).toMatchObject({ code: '28P01' });
      } finally {
        await onSocket.stop();
        dir.remove();
      }
    });

    // Each as a JavaScript caller (or a cast) could pass it; the types refuse them all.
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      ['both a path and host:port', { host: '127.0.0.1', port: 0, path: '/tmp/x.sock' }, /not both/],
      ['a path and an empty host', { host: '', port: 0, path: '/tmp/x.sock' }, /not both/],
      ['neither a path nor a host', { port: 0 }, /host must be a non-empty string.*got undefined/],
      ['an empty host (every interface)', { host: '', port: 0 }, /host must be a non-empty string.*got ""/],
      [
        'a port beyond 65535',
        { host: '127.0.0.1', port: 70_000 },
        /port must be an integer 0-65535, got 70000/,
      ],
      ['a fractional port', { host: '127.0.0.1', port: 1.5 }, /port must be an integer 0-65535, got 1.5/],
      ['an empty path', { path: '' }, /path must be a non-empty string, got ""/],
      ['no connections allowed', { host: '127.0.0.1', port: 0, maxConnections: 0 }, /maxConnections.*got 0/],
      [
        'an empty password',
        { host: '127.0.0.1', port: 0, password: '' },
        /password must be a non-empty string/,
      ],
    ];
    it.each(bad)('refuses %s with one line, before listening', (_, overrides, message) => {
      // Arrange
      const options = {
        db,
        maxConnections: 4,
        password: PASSWORD,
        ...overrides,
      } as unknown as PgWireServerOptions;
      // Act
      const error = (() => {
        try {
          new PgWireServer(options);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      // Assert
      expect(error?.name).toBe('Tollgate.InvalidInput');
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain('\n');
    });
  });

  describe('suspend and resume', () => {
    it('lets a client that connected while suspended in on the resumed database and drops earlier ones', async () => {
      // Arrange
      // The suite's database stands for the volume before the refresh, a new one for after it.
      const before = db;
      const after = await PGlite.create();
      await before.exec("CREATE TABLE which (v text); INSERT INTO which VALUES ('before')");
      await after.exec("CREATE TABLE which (v text); INSERT INTO which VALUES ('after')");
      const swapping = new PgWireServer({
        db: before,
        host: '127.0.0.1',
        port: 0,
        maxConnections: 8,
        password: PASSWORD,
      });
      const swapPort = await swapping.start();
      const at = url().replace(`:${port}/`, `:${swapPort}/`);
      const early = await client(at);
      try {
        // Act
        await swapping.suspend();
        const late = new pg.Client({ connectionString: at });
        late.on('error', () => undefined);
        clients.push(late);
        const connecting = late.connect();
        await until(() => swapping.stats().parked === 1);
        await swapping.resume(after);
        await connecting;
        const seen = await late.query('SELECT v FROM which');
        const earlyError = await early.query('SELECT 1').then(
          () => undefined,
          (e: Error) => e,
        );
        // Assert
        expect(seen.rows).toEqual([{ v: 'after' }]);
        expect(earlyError).toBeInstanceOf(Error);
        expect(swapping.stats().parked).toBe(0);
      } finally {
        await swapping.stop();
        await after.close();
      }
    });

    it('closes the sockets still waiting when it stops instead of resuming', async () => {
      // Arrange
      const swapping = new PgWireServer({
        db,
        host: '127.0.0.1',
        port: 0,
        maxConnections: 8,
        password: PASSWORD,
      });
      const swapPort = await swapping.start();
      await swapping.suspend();
      const waiting = new pg.Client({ connectionString: url().replace(`:${port}/`, `:${swapPort}/`) });
      waiting.on('error', () => undefined);
      const connecting = waiting.connect().then(
        () => undefined,
        (e: Error) => e,
      );
      await until(() => swapping.stats().parked === 1);
      // Act
      await swapping.stop();
      // Assert
      expect(await connecting).toBeInstanceOf(Error);
    });
  });
});
