import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server speaking the slice of Pure Storage FlashArray REST 2.x that Tollgate uses, with
 * Purity's shapes: session login (`api-token` in, `x-auth-token` out), `{items, continuation_token}`
 * list bodies, `{"errors":[{"context","message"}]}` with HTTP 400, destroyed objects that keep their
 * name until eradicated, and tags. Volume "content" is a string so tests can see what was copied.
 */
export interface FakeObject {
  id: string;
  name: string;
  destroyed: boolean;
  content: string;
  source?: { name: string };
  created: number;
}

interface FakeTag {
  namespace: string;
  key: string;
  value: string;
  copyable: boolean;
}

export interface FakeFlashArray {
  readonly url: string;
  readonly volumes: Map<string, FakeObject>;
  readonly snapshots: Map<string, FakeObject>;
  readonly pgroupSnapshots: Map<string, FakeObject>;
  readonly protectionGroups: Map<string, string[]>;
  readonly tags: Map<string, FakeTag[]>;
  /** Every request as `METHOD path?query`, for asserting the calls made. */
  readonly requests: string[];
  /** Invalidate all sessions (what an idle timeout does). */
  expireSessions(): void;
  close(): Promise<void>;
}

class PurityError extends Error {
  constructor(
    readonly status: number,
    readonly errors: Array<{ context?: string; message: string }>,
  ) {
    super(errors[0]?.message);
  }
}

export async function startFakeFlashArray(options: {
  apiToken: string;
  pageSize?: number;
}): Promise<FakeFlashArray> {
  const sessions = new Set<string>();
  const state = {
    volumes: new Map<string, FakeObject>(),
    snapshots: new Map<string, FakeObject>(),
    pgroupSnapshots: new Map<string, FakeObject>(),
    protectionGroups: new Map<string, string[]>(),
    tags: new Map<string, FakeTag[]>(),
    requests: [] as string[],
  };
  const pageSize = options.pageSize ?? 2;
  let clock = 1;

  const make = (name: string, content: string, source?: string): FakeObject => ({
    id: randomUUID(),
    name,
    destroyed: false,
    content,
    source: source ? { name: source } : undefined,
    created: clock++,
  });

  const csv = (q: URLSearchParams, key: string) => (q.get(key) ? q.get(key)!.split(',') : undefined);
  const bool = (q: URLSearchParams, key: string) => (q.has(key) ? q.get(key) === 'true' : undefined);

  /** GET by names answers 400 for names that do not exist, as Purity does. */
  function select(map: Map<string, FakeObject>, q: URLSearchParams, kind: string): FakeObject[] {
    const destroyed = bool(q, 'destroyed');
    const names = csv(q, 'names');
    let found = [...map.values()].filter((o) => destroyed === undefined || o.destroyed === destroyed);
    const sources = csv(q, 'source_names');
    if (sources) found = found.filter((o) => o.source && sources.includes(o.source.name));
    if (!names) return found.sort((a, b) => a.name.localeCompare(b.name));
    const missing = names.filter((n) => !found.some((o) => o.name === n));
    if (missing.length > 0)
      throw new PurityError(
        400,
        missing.map((n) => ({ context: n, message: `${kind} does not exist.` })),
      );
    return names.map((n) => found.find((o) => o.name === n)!);
  }

  function page<T>(items: T[], q: URLSearchParams) {
    const limit = Math.min(Number(q.get('limit') ?? pageSize), pageSize);
    const start = q.get('continuation_token')
      ? Number(Buffer.from(q.get('continuation_token')!, 'base64').toString())
      : 0;
    const slice = items.slice(start, start + limit);
    const next = start + limit < items.length ? Buffer.from(String(start + limit)).toString('base64') : null;
    return {
      status: 200,
      body: {
        continuation_token: next,
        more_items_remaining: next !== null,
        total_item_count: items.length,
        items: slice,
      },
      next,
    };
  }

  function nameTaken(name: string, kind: string, map: Map<string, FakeObject>): void {
    const existing = map.get(name);
    if (!existing) return;
    throw new PurityError(400, [
      {
        context: name,
        message: existing.destroyed
          ? `${kind} has been destroyed. It can be recovered or eradicated.`
          : `${kind} already exists.`,
      },
    ]);
  }

  function patchDestroyed(
    map: Map<string, FakeObject>,
    q: URLSearchParams,
    body: { destroyed?: boolean },
    kind: string,
  ) {
    if (typeof body?.destroyed !== 'boolean')
      throw new PurityError(400, [{ message: 'Invalid combination of parameters specified.' }]);
    const items = select(map, new URLSearchParams({ names: q.get('names') ?? '' }), kind);
    for (const o of items) o.destroyed = body.destroyed;
    return { status: 200, body: { items } };
  }

  function eradicate(
    map: Map<string, FakeObject>,
    q: URLSearchParams,
    kind: string,
    cascade?: (name: string) => void,
  ) {
    const items = select(map, new URLSearchParams({ names: q.get('names') ?? '' }), kind);
    const live = items.filter((o) => !o.destroyed);
    if (live.length > 0) {
      throw new PurityError(
        400,
        live.map((o) => ({
          context: o.name,
          message: `${kind} must be destroyed before it can be eradicated.`,
        })),
      );
    }
    for (const o of items) {
      map.delete(o.name);
      state.tags.delete(o.name);
      cascade?.(o.name);
    }
    return { status: 200, body: {} };
  }

  function tags(map: Map<string, FakeObject>, method: string, q: URLSearchParams, body: unknown) {
    const names = csv(q, 'resource_names');
    if (method === 'PUT') {
      if (!names || !Array.isArray(body))
        throw new PurityError(400, [{ message: 'resource_names and a list of tags are required.' }]);
      select(map, new URLSearchParams({ names: names.join(',') }), 'Resource');
      for (const name of names) {
        const list = state.tags.get(name) ?? [];
        for (const t of body as FakeTag[]) {
          const i = list.findIndex((x) => x.namespace === t.namespace && x.key === t.key);
          if (i >= 0) list.splice(i, 1);
          list.push({
            namespace: t.namespace ?? 'default',
            key: t.key,
            value: t.value,
            copyable: t.copyable ?? true,
          });
        }
        state.tags.set(name, list);
      }
      return {
        status: 200,
        body: {
          items: names.flatMap((n) => state.tags.get(n)!.map((t) => ({ ...t, resource: { name: n } }))),
        },
      };
    }
    const namespaces = csv(q, 'namespaces');
    const destroyed = bool(q, 'resource_destroyed');
    if (names) select(map, new URLSearchParams({ names: names.join(',') }), 'Resource');
    const all = [...map.values()]
      .filter(
        (o) => (!names || names.includes(o.name)) && (destroyed === undefined || o.destroyed === destroyed),
      )
      .flatMap((o) =>
        (state.tags.get(o.name) ?? []).map((t) => ({ ...t, resource: { name: o.name, id: o.id } })),
      )
      .filter((t) => !namespaces || namespaces.includes(t.namespace));
    return page(all, q);
  }

  function route(
    method: string,
    path: string,
    q: URLSearchParams,
    body: unknown,
  ): { status: number; body: unknown; next?: string | null } {
    const b = body as Record<string, unknown>;
    if (path === '/volumes' && method === 'GET') return page(select(state.volumes, q, 'Volume'), q);
    if (path === '/volumes' && method === 'POST') {
      const names = csv(q, 'names');
      const sourceName = (b?.source as { name?: string })?.name;
      if (names?.length !== 1) throw new PurityError(400, [{ message: 'Exactly one name is required.' }]);
      const name = names[0];
      const source = sourceName
        ? (state.snapshots.get(sourceName) ?? state.volumes.get(sourceName))
        : undefined;
      if (!source || source.destroyed)
        throw new PurityError(400, [{ context: sourceName, message: 'Source does not exist.' }]);
      const existing = state.volumes.get(name);
      if (existing && !existing.destroyed && q.get('overwrite') === 'true') {
        existing.content = source.content;
        existing.source = { name: source.name };
        return { status: 200, body: { items: [existing] } };
      }
      nameTaken(name, 'Volume', state.volumes);
      const created = make(name, source.content, source.name);
      state.volumes.set(name, created);
      return { status: 200, body: { items: [created] } };
    }
    if (path === '/volumes' && method === 'PATCH') return patchDestroyed(state.volumes, q, b, 'Volume');
    if (path === '/volumes' && method === 'DELETE') return eradicate(state.volumes, q, 'Volume');
    if (path === '/volume-snapshots' && method === 'GET')
      return page(select(state.snapshots, q, 'Snapshot'), q);
    if (path === '/volume-snapshots' && method === 'POST') {
      const sources = csv(q, 'source_names');
      const suffix = b?.suffix as string | undefined;
      if (!sources || !suffix)
        throw new PurityError(400, [{ message: 'source_names and suffix are required.' }]);
      const vols = select(
        state.volumes,
        new URLSearchParams({ names: sources.join(','), destroyed: 'false' }),
        'Volume',
      );
      for (const v of vols) nameTaken(`${v.name}.${suffix}`, 'Snapshot', state.snapshots);
      const items = vols.map((v) => make(`${v.name}.${suffix}`, v.content, v.name));
      for (const s of items) state.snapshots.set(s.name, s);
      return { status: 200, body: { items } };
    }
    if (path === '/volume-snapshots' && method === 'PATCH')
      return patchDestroyed(state.snapshots, q, b, 'Snapshot');
    if (path === '/volume-snapshots' && method === 'DELETE') return eradicate(state.snapshots, q, 'Snapshot');
    if (path === '/volume-snapshots/tags' && method === 'GET') return tags(state.snapshots, method, q, body);
    if (path === '/volume-snapshots/tags/batch' && method === 'PUT')
      return tags(state.snapshots, method, q, body);
    if (path === '/volumes/tags' && method === 'GET') return tags(state.volumes, method, q, body);
    if (path === '/volumes/tags/batch' && method === 'PUT') return tags(state.volumes, method, q, body);
    if (path === '/protection-groups/volumes' && method === 'GET') {
      const groups = csv(q, 'group_names') ?? [...state.protectionGroups.keys()];
      const missing = groups.filter((g) => !state.protectionGroups.has(g));
      if (missing.length)
        throw new PurityError(
          400,
          missing.map((g) => ({ context: g, message: 'Protection group does not exist.' })),
        );
      return page(
        groups.flatMap((g) =>
          state.protectionGroups.get(g)!.map((v) => ({ group: { name: g }, member: { name: v } })),
        ),
        q,
      );
    }
    if (path === '/protection-group-snapshots' && method === 'POST') {
      const group = csv(q, 'source_names')?.[0];
      const suffix = b?.suffix as string | undefined;
      if (!group || !state.protectionGroups.has(group) || !suffix) {
        throw new PurityError(400, [{ context: group, message: 'Protection group does not exist.' }]);
      }
      const name = `${group}.${suffix}`;
      nameTaken(name, 'Protection group snapshot', state.pgroupSnapshots);
      const pg = make(name, '', group);
      state.pgroupSnapshots.set(name, pg);
      for (const v of state.protectionGroups.get(group)!) {
        const vol = state.volumes.get(v)!;
        state.snapshots.set(`${name}.${v}`, make(`${name}.${v}`, vol.content, v));
      }
      return { status: 200, body: { items: [pg] } };
    }
    const cascade = (flag: boolean) => (name: string) => {
      for (const s of state.snapshots.values()) if (s.name.startsWith(`${name}.`)) s.destroyed = flag;
    };
    if (path === '/protection-group-snapshots' && method === 'PATCH') {
      const out = patchDestroyed(state.pgroupSnapshots, q, b, 'Protection group snapshot');
      for (const n of csv(q, 'names') ?? []) cascade(Boolean(b.destroyed))(n);
      return out;
    }
    if (path === '/protection-group-snapshots' && method === 'GET')
      return page(select(state.pgroupSnapshots, q, 'Protection group snapshot'), q);
    if (path === '/protection-group-snapshots' && method === 'DELETE') {
      return eradicate(state.pgroupSnapshots, q, 'Protection group snapshot', (name) => {
        for (const s of [...state.snapshots.keys()]) if (s.startsWith(`${name}.`)) state.snapshots.delete(s);
      });
    }
    throw new PurityError(404, [{ message: `Unsupported ${method} ${path}` }]);
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    state.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const match = /^\/api\/2\.\d+(\/.*)$/.exec(url.pathname);
    if (!match) return send(404, { errors: [{ message: 'Not found.' }] });
    const path = match[1];
    if (path === '/login' && req.method === 'POST') {
      if (req.headers['api-token'] !== options.apiToken) {
        return send(401, { errors: [{ context: 'api-token', message: 'Invalid API token.' }] });
      }
      const session = randomUUID();
      sessions.add(session);
      return send(200, { items: [{ username: 'tollgate' }] }, { 'x-auth-token': session });
    }
    const session = req.headers['x-auth-token'];
    if (typeof session !== 'string' || !sessions.has(session)) {
      return send(401, { errors: [{ message: 'Session expired or invalid. Please log in again.' }] });
    }
    try {
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      const out = route(req.method ?? 'GET', path, url.searchParams, body);
      send(out.status, out.body, out.next ? { 'x-next-token': out.next } : {});
    } catch (error) {
      if (error instanceof PurityError) return send(error.status, { errors: error.errors });
      send(500, { errors: [{ message: String(error) }] });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ...state,
    expireSessions: () => sessions.clear(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
