// Loaded into every emulated Lambda container and the apps with `--import`: the hosts AWS would
// resolve (an Aurora cluster endpoint, an environment's URL) resolve here to the loopback port the
// rehearsal serves them on. The map is a JSON file the rehearsal rewrites as clusters come and go,
// read at each connect so a clone made a moment ago is reachable. Nothing else is changed.
import { readFileSync } from 'node:fs';
import net from 'node:net';

const file = process.env.TOLLGATE_REHEARSAL_HOSTS;
const connect = net.Socket.prototype.connect;

function mapped(host) {
  if (!file || typeof host !== 'string') return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'))[host.toLowerCase()];
  } catch {
    return undefined;
  }
}

net.Socket.prototype.connect = function patchedConnect(...args) {
  const options = args[0];
  if (Array.isArray(options) && options[0] && typeof options[0] === 'object') {
    // net.connect (fetch's path) passes its normalized [options, callback]; changed in place, the
    // array keeps the marker that tells connect it is already normalized.
    const port = mapped(options[0].host);
    if (port !== undefined) options[0] = { ...options[0], host: '127.0.0.1', port };
  } else if (options && typeof options === 'object') {
    const port = mapped(options.host);
    if (port !== undefined) args[0] = { ...options, host: '127.0.0.1', port };
  } else if (typeof options === 'number' || typeof options === 'string') {
    const port = mapped(args[1]);
    if (port !== undefined) {
      args[0] = port;
      args[1] = '127.0.0.1';
    }
  }
  return connect.apply(this, args);
};
