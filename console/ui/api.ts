import type { Json } from './json.js';

/**
 * The console's calls to its own server. Mutations carry the CSRF token the page was served with;
 * the browser adds the Origin header, and the server checks both.
 */
class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function csrfToken(): string {
  return document.querySelector('meta[name="tollgate-csrf"]')?.getAttribute('content') ?? '';
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: Json = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: report the status line below.
  }
  if (!res.ok) {
    const message = body?.reason ?? body?.message ?? `${res.status} ${res.statusText}`;
    throw new ApiError(String(message), res.status);
  }
  return body as T;
}

export async function getJson<T = Json>(
  path: string,
  params: Record<string, string | undefined> = {},
): Promise<T> {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') query.set(k, v);
  const qs = query.toString();
  return parse<T>(await fetch(qs ? `${path}?${qs}` : path, { headers: { accept: 'application/json' } }));
}

export async function postJson<T = Json>(path: string, body: unknown): Promise<T> {
  return parse<T>(
    await fetch(path, {
      method: 'POST',
      // Deliberately not application/x-amz-json: that would route the request to the AWS front door.
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken() },
      body: JSON.stringify(body ?? {}),
    }),
  );
}
