/** The one place the client turns a URL into JSON. `fetch` is injectable so tests can answer with fixtures. */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** A non-2xx answer: callers tell a missing session (401) from other failures by `status`. */
export class HttpError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`${url}: HTTP ${status}`);
    this.name = 'HttpError';
  }
}

export async function getJson<T>(fetchFn: Fetch, url: string): Promise<T> {
  const response = await fetchFn(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new HttpError(url, response.status);
  return (await response.json()) as T;
}

/** A request with a JSON body (or none), for the routes that change state. */
export function sendJson(fetchFn: Fetch, method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // No body, no content type: Fastify answers 400 to an empty body declared as JSON.
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetchFn(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}
