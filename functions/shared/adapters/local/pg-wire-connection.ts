import type { Socket } from 'node:net';
import type { SharedSession } from './pg-shared-session.js';
import { StatementScope } from './pg-statement-scope.js';
import type { StartupAuthenticator } from './pg-wire-auth.js';
import { BackendTracker, errorResponse, FrontendReader, message } from './pg-wire-messages.js';

/**
 * One client socket: authenticated by `StartupAuthenticator`, then its messages are run on the
 * shared PGlite session in turns (see SharedSession), its statement names scoped to it.
 */
export class WireConnection {
  private readonly reader = new FrontendReader();
  private readonly tracker = new BackendTracker();
  private readonly scope: StatementScope;
  private auth: StartupAuthenticator | undefined;
  private pumping: Promise<void> = Promise.resolve();
  private busy = false;
  private closing?: Promise<void>;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly session: SharedSession,
    auth: StartupAuthenticator,
    private readonly onClosed: (connection: WireConnection) => void,
  ) {
    this.auth = auth;
    this.scope = new StatementScope(id);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      this.pump();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => void this.close());
  }

  /** Drops the client at once (server stop); `close` follows from the socket's close event. */
  destroySocket(): void {
    this.socket.destroy();
  }

  /** Ends the connection: its turn's unfinished work is undone and its statements closed. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private pump(): void {
    if (this.busy || this.closing) return;
    this.busy = true;
    this.pumping = this.drain()
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        this.busy = false;
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.closing) return;
      const msg = this.reader.next(this.auth?.untyped ?? false);
      if (!msg) return;
      if (this.auth) this.authenticate(msg);
      else await this.run(msg);
    }
  }

  private authenticate(msg: Buffer): void {
    const step = this.auth!.handle(msg);
    if (step.kind === 'close') {
      this.socket.destroy();
      return;
    }
    this.write(step.data);
    if (step.kind === 'refused') {
      this.socket.end();
      void this.close();
    } else if (step.kind === 'authenticated') {
      this.auth = undefined;
      this.session.register(this.id);
    }
  }

  private async run(msg: Buffer): Promise<void> {
    if (msg[0] === 0x58 /* X: Terminate */) {
      this.socket.end();
      void this.close();
      return;
    }
    await this.session.acquire(this.id);
    if (this.closing) return;
    if (mayChangeSettings(msg)) this.session.markMaybeChanged(this.id);
    await this.session.exec(this.scope.rewrite(msg), (data) => {
      this.tracker.feed(data);
      this.write(Buffer.from(data));
    });
    if (this.tracker.readyStatus() === 'I') this.session.release(this.id);
  }

  private write(data: Buffer): void {
    if (data.length > 0 && this.socket.writable) this.socket.write(data);
  }

  private fail(error: unknown): void {
    const text = error instanceof Error ? error.message : String(error);
    this.write(errorResponse('FATAL', '08P01', `tollgate: ${text.split('\n')[0]}`));
    this.socket.end();
    void this.close();
  }

  private async finish(): Promise<void> {
    await this.pumping;
    const registered = !this.auth;
    try {
      if (registered) await this.undoUnfinishedWork();
    } catch {
      // The database is closing (VolumeHost.stop) or broken; nothing is left to undo.
    } finally {
      if (registered) this.session.unregister(this.id);
      // end() first so a queued ErrorResponse still reaches the client; then no half-open socket stays.
      if (!this.socket.destroyed) this.socket.end(() => this.socket.destroy());
      this.onClosed(this);
    }
  }

  /**
   * A client that vanished mid-turn leaves a COPY, an extended-protocol batch without its Sync or a
   * transaction open in the shared session: abort each, as a Postgres backend does when its client
   * disconnects. CopyFail and Sync are ignored by the backend when nothing needs them.
   */
  private async undoUnfinishedWork(): Promise<void> {
    const statements = this.scope.closeAll();
    if (!this.session.holds(this.id) && statements.length === 0) return;
    await this.session.acquire(this.id);
    const ignore = (data: Uint8Array) => this.tracker.feed(data);
    if (this.tracker.readyStatus() !== 'I') {
      await this.session.exec(message('f', Buffer.from('client disconnected\0')), ignore);
      await this.session.exec(message('S'), ignore);
      if (this.tracker.readyStatus() !== 'I') await this.session.internal('ROLLBACK');
    }
    for (const close of statements) await this.session.exec(close, ignore);
    if (statements.length > 0) await this.session.exec(message('S'), ignore);
  }
}

/** SQL that can change a session setting says so: SET, RESET, set_config(), DISCARD (see SharedSession). */
const SETTING_WORDS = /\b(?:re)?set\b|set_config|discard/i;

function mayChangeSettings(msg: Buffer): boolean {
  const type = msg[0];
  return (type === 0x51 /* Q */ || type === 0x50) /* P */ && SETTING_WORDS.test(msg.toString('latin1', 5));
}
