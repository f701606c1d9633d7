/**
 * The real server (buildApp) on a loopback port, serving the production client build from
 * client/dist over a media folder, with its library scanned before the tests start.
 */
import type { Share, ShareCreateRequest, Track, TrackListResponse } from '@musicsharer/shared';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../server/src/app.js';
import { START_LINK_TTL_MS } from '../../server/src/auth/pair-links.js';

/** The production client build; `E2E_CLIENT_DIR` points the suites at another build folder. */
export const CLIENT_DIST = process.env.E2E_CLIENT_DIR ?? fileURLToPath(new URL('../../client/dist/', import.meta.url));

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. `http://127.0.0.1:40123` (no trailing slash) */
  base: string;
  /** Every track of the library, as the API lists it. */
  tracks(): Promise<Track[]>;
  /** The one track with this title (fails loudly when missing). */
  track(title: string): Promise<Track>;
  /** A fresh pairing link (absolute URL on `base`), as `npm run pair` makes one; needs `auth: true`. */
  pairLink(): Promise<string>;
  /** Makes a share link as the owner would (`POST /api/shares`); its absolute URL is `url`. */
  share(body: ShareCreateRequest): Promise<Share>;
  /** Revokes a share link (`DELETE /api/shares/:id`). */
  revokeShare(id: string): Promise<void>;
  close(): Promise<void>;
}

export function assertClientBuilt(clientDir = CLIENT_DIST): void {
  if (!existsSync(join(clientDir, 'index.html'))) {
    throw new Error(`no client build in ${clientDir}: run \`npm run build\` first (npm test does it before the end-to-end suites)`);
  }
}

export interface ServerOptions {
  clientDir?: string;
  /** Where the server keeps its library index (absent: a temporary folder removed on close). */
  dataDir?: string;
  /** Access control on (default off: the other suites test something else). */
  auth?: boolean;
}

/**
 * Waits for the first scan, then for the library to stop changing (the server refines guessed
 * MP3 durations in the background and announces each change to every client, which reloads):
 * tests start on a library at rest.
 */
async function settle(app: FastifyInstance, quietMs = 300, timeoutMs = 15_000): Promise<void> {
  let lastChange = Date.now();
  const onChange = () => (lastChange = Date.now());
  app.library.on('changed', onChange);
  try {
    await app.library.scan();
    const deadline = Date.now() + timeoutMs;
    while ((app.library.status.scanning || Date.now() - lastChange < quietMs) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    app.library.off('changed', onChange);
  }
}

export async function startServer(mediaDir: string, options: ServerOptions = {}): Promise<RunningServer> {
  const clientDir = options.clientDir ?? CLIENT_DIST;
  assertClientBuilt(clientDir);
  const auth = options.auth ?? false;
  const app = await buildApp({ mediaDir, wsEcho: false, allowedOrigins: [], clientDir, auth, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  await settle(app);
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('server has no TCP address');
  const base = `http://127.0.0.1:${address.port}`;

  // With access control on, the harness reads the API as a paired device of its own.
  let cookie: string | undefined;
  if (auth) {
    const response = await fetch(await pairLink(), { redirect: 'manual' });
    cookie = response.headers.get('set-cookie')?.split(';')[0];
    if (response.status !== 303 || !cookie) throw new Error(`pairing the test harness failed: ${response.status}`);
  }
  async function pairLink(): Promise<string> {
    const stores = app.auth.stores;
    if (stores === null) throw new Error('pairLink() needs startServer(..., { auth: true })');
    const { token } = await stores.pairLinks.create(START_LINK_TTL_MS);
    return `${base}/pair/${token}`;
  }

  const tracks = async () => {
    const response = await fetch(`${base}/api/tracks`, { headers: cookie ? { cookie } : {} });
    if (!response.ok) throw new Error(`GET /api/tracks: ${response.status}`);
    return ((await response.json()) as TrackListResponse).tracks;
  };
  return {
    app,
    base,
    tracks,
    async track(title) {
      const found = (await tracks()).filter((t) => t.title === title);
      if (found.length !== 1) throw new Error(`expected one track titled "${title}", found ${found.length}`);
      return found[0]!;
    },
    pairLink,
    async share(body) {
      const response = await fetch(`${base}/api/shares`, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
      if (response.status !== 201) throw new Error(`POST /api/shares: ${response.status} ${await response.text()}`);
      return (await response.json()) as Share;
    },
    async revokeShare(id) {
      const response = await fetch(`${base}/api/shares/${id}`, { method: 'DELETE', headers: cookie ? { cookie } : {} });
      if (response.status !== 204) throw new Error(`DELETE /api/shares/${id}: ${response.status}`);
    },
    close: () => app.close(),
  };
}
