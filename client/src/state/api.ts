/** The one place the client turns a URL into JSON. `fetch` is injectable so tests can answer with fixtures. */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export async function getJson<T>(fetchFn: Fetch, url: string): Promise<T> {
  const response = await fetchFn(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}
