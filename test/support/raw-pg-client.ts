import { connect, type Socket } from 'node:net';
// node-postgres' own SCRAM client, so the server is tested against what real clients send.
// @ts-expect-error pg ships this module without types
import sasl from 'pg/lib/crypto/sasl.js';
import { parse, serialize } from 'pg-protocol';

export interface BackendMessage {
  readonly name: string;
  readonly [field: string]: unknown;
}

/**
 * A wire-protocol client that sends exactly the messages a test names (node `pg` always completes
 * a batch with Sync), for tests of message-level behaviour: interleaved batches, disconnects mid-turn.
 */
export class RawPgClient {
  private readonly received: BackendMessage[] = [];
  private waiter?: () => void;

  private constructor(readonly socket: Socket) {
    void parse(socket, (msg) => {
      this.received.push(msg as unknown as BackendMessage);
      this.waiter?.();
    });
  }

  /** Connects and runs the startup; with `password` undefined it stops at the server's first answer. */
  static async open(port: number, user: string, password?: string): Promise<RawPgClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new RawPgClient(socket);
    client.send(serialize.startup({ user, database: 'postgres' }));
    const request = await client.next();
    if (password === undefined) {
      client.received.unshift(request);
      return client;
    }
    if (request.name !== 'authenticationSASL') throw new Error(`expected SASL, got ${request.name}`);
    const session = sasl.startSession(request.mechanisms as string[]);
    client.send(serialize.sendSASLInitialResponseMessage(session.mechanism, session.response));
    const cont = await client.next();
    if (cont.name !== 'authenticationSASLContinue')
      throw new Error(`SASL continue expected, got ${cont.name}`);
    await sasl.continueSession(session, password, cont.data as string);
    client.send(serialize.sendSCRAMClientFinalMessage(session.response));
    await client.until('readyForQuery');
    return client;
  }

  send(data: Buffer): void {
    this.socket.write(data);
  }

  /** The next backend message. */
  async next(): Promise<BackendMessage> {
    while (this.received.length === 0) {
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
    return this.received.shift()!;
  }

  /** Messages up to and including the first one called `name`. */
  async until(name: string): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      const msg = await this.next();
      out.push(msg);
      if (msg.name === name) return out;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
