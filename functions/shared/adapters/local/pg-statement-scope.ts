import { cstring, message, readCString } from './pg-wire-messages.js';

/**
 * Gives each connection its own namespace of named prepared statements on the shared PGlite
 * session, by prefixing the names in Parse, Bind, Describe and Close. node `pg` (`name:` queries)
 * and postgres.js (prepares by default) name statements per connection and expect them to stay
 * theirs; unprefixed, two clients' "s1" collide, and one client's Close drops the other's.
 *
 * The unnamed statement and portals need no prefix: they do not outlive the turn (see
 * SharedSession), as portals end with their transaction and the unnamed statement is used within
 * the batch that parsed it.
 */
export class StatementScope {
  private readonly prefix: string;
  /** The prefixed names this connection has prepared, closed when it goes. */
  readonly names = new Set<string>();

  constructor(connectionId: number) {
    this.prefix = `c${connectionId}:`;
  }

  /** Returns `msg` with statement names prefixed (the same buffer when it names none). */
  rewrite(msg: Buffer): Buffer {
    switch (msg[0]) {
      case 0x50 /* P: Parse */:
        {
          const [name, rest] = readCString(msg, 5);
          if (!name) return msg;
          this.names.add(this.prefix + name);
          return this.rebuild('P', [cstring(this.prefix + name)], msg.subarray(rest));
        }
      case 0x42 /* B: Bind */:
        {
          const [portal, afterPortal] = readCString(msg, 5);
          const [name, rest] = readCString(msg, afterPortal);
          if (!name) return msg;
          return this.rebuild('B', [cstring(portal), cstring(this.prefix + name)], msg.subarray(rest));
        }
      case 0x44 /* D: Describe */:
      case 0x43 /* C: Close */:
        {
          if (msg[5] !== 0x53 /* S: statement */) return msg;
          const [name, rest] = readCString(msg, 6);
          if (!name) return msg;
          if (msg[0] === 0x43) this.names.delete(this.prefix + name);
          const type = String.fromCharCode(msg[0]!);
          return this.rebuild(type, [Buffer.from('S'), cstring(this.prefix + name)], msg.subarray(rest));
        }
      default:
        return msg;
    }
  }

  /** Close messages for every statement this connection left open, for when it goes. */
  closeAll(): Buffer[] {
    return [...this.names].map((name) => message('C', Buffer.concat([Buffer.from('S'), cstring(name)])));
  }

  private rebuild(type: string, head: Buffer[], tail: Buffer): Buffer {
    return message(type, Buffer.concat([...head, tail]));
  }
}
