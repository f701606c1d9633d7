/**
 * What is protected (issue 12): every route the app has, asked with no cookie, a forged
 * cookie, a revoked session's cookie and a live one. The routes come from the app itself
 * (printRoutes), so a route added later without thought is caught here: only the pairing
 * routes, login, the app shell (and the screens' URLs that answer with it) and a share's page
 * and media may answer without a session.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SCREEN_ROUTES } from '@musicsharer/shared';
import type { FastifyInstance } from 'fastify';
import { createFixtureLibrary, type FixtureLibrary } from '../fixtures/library.js';
import { listenWithAuth, NOT_PAIRED, type AuthApp } from './helpers.js';

/** Every (method, path) of the app, from Fastify's route tree. */
function routesOf(app: FastifyInstance): { method: string; url: string }[] {
  const routes: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+) \(([^)]+)\)$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const piece = depth === 0 && !match[2]!.startsWith('/') ? `/${match[2]}` : match[2]!;
    stack.push(piece);
    for (const method of match[3]!.split(', ')) routes.push({ method, url: stack.join('') });
  }
  return routes;
}

/** The routes reachable without a session: pairing, login, the app shell, a share's page and media (issue 13). */
const PUBLIC = new Set([
  'GET /pair/:token',
  'HEAD /pair/:token',
  'POST /api/pair',
  'POST /api/login',
  'GET /*',
  'HEAD /*',
  ...['', '/', '/cover', '/download', '/stream/:id'].flatMap((tail) => [`GET /s/:shareId${tail}`, `HEAD /s/:shareId${tail}`]),
  // The screens' URLs (issue 14): the same app shell as `/`, which shows the pairing screen.
  ...SCREEN_ROUTES.flatMap((url) => [`GET ${url}`, `HEAD ${url}`]),
]);

/** A concrete path for a route pattern. */
function pathFor(url: string, trackId: string, albumId: string): string {
  return url
    .replace('/stream/:id', `/stream/${trackId}`)
    .replace('/api/tracks/:id', `/api/tracks/${trackId}`)
    .replace(':id', albumId)
    .replace(':token', randomBytes(32).toString('base64url'))
    .replace('/*', '/index.html');
}

interface Answer {
  status: number;
  body: string;
}

function ask(base: string, method: string, path: string, cookie: string | undefined): Promise<Answer> {
  const url = new URL(path, base);
  // Node frames no body of its own for DELETE: say its length.
  const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? '{}' : undefined;
  const headers = { ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}) };
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('every route: no cookie, a forged one, a revoked session, a live one', () => {
  let fixture: FixtureLibrary;
  let server: AuthApp;
  let clientDir: string;
  let live: string;
  let revoked: string;
  before(async () => {
    fixture = await createFixtureLibrary();
    // A client build, so the app shell's routes exist.
    clientDir = await mkdtemp(join(tmpdir(), 'musicsharer-shell-'));
    await mkdir(join(clientDir, 'assets'));
    await writeFile(join(clientDir, 'index.html'), '<!doctype html><title>musicsharer</title>');
    await writeFile(join(clientDir, 'assets', 'app.js'), 'console.log(1)');
    await mkdir(join(clientDir, '.vite'));
    await writeFile(join(clientDir, '.vite', 'manifest.json'), '{"src/share/main.ts":{"file":"assets/share.js","css":["assets/share.css"]}}');
    server = await listenWithAuth(fixture.root, {}, { clientDir });
    live = await server.pair();
    revoked = await server.pair();
    const { session } = (await (await fetch(`${server.base}/api/session`, { headers: { cookie: revoked } })).json()) as { session: { id: string } };
    const revoke = await fetch(`${server.base}/api/sessions/${session.id}`, { method: 'DELETE', headers: { cookie: live } });
    assert.equal(revoke.status, 204);
  });
  after(async () => {
    await server?.app.close();
    await fixture?.cleanup();
    await rm(clientDir, { recursive: true, force: true });
  });

  test('the table', async () => {
    const routes = routesOf(server.app);
    assert.ok(routes.length >= 20, `routes found: ${JSON.stringify(routes)}`);
    for (const required of ['GET /stream/:id', 'GET /cover/:id', 'GET /ws', 'GET /api/tracks', 'DELETE /api/sessions/:id', 'GET /*']) {
      assert.ok(routes.some((r) => `${r.method} ${r.url}` === required), `route ${required} is in the table`);
    }
    const track = fixture.tracks[0]!;
    const tracks = (await (await fetch(`${server.base}/api/tracks`, { headers: { cookie: live } })).json()) as { tracks: { id: string; path: string; albumId: string }[] };
    const record = tracks.tracks.find((t) => t.path === track.path)!;
    const forged = `musicsharer_session=${randomBytes(32).toString('base64url')}`;
    const rows: string[] = [];
    for (const { method, url } of routes) {
      // Revoking here would end the live session: its own row asks a session that does not exist.
      const path = url === '/api/sessions/:id' ? '/api/sessions/nosuchsession' : pathFor(url, record.id, record.albumId);
      const key = `${method} ${url}`;
      const isPublic = PUBLIC.has(key);
      for (const [label, cookie] of [
        ['no cookie', undefined],
        ['forged', forged],
        ['revoked', revoked],
        ['live', live],
      ] as const) {
        const answer = await ask(server.base, method, path, cookie).catch((error: Error) => assert.fail(`${key} with ${label}: ${error.message}`));
        const refused = answer.status === 401 && (method === 'HEAD' || NOT_PAIRED.test(answer.body));
        rows.push(`${key.padEnd(28)} ${label.padEnd(9)} ${answer.status}`);
        if (isPublic || label === 'live') {
          assert.ok(!refused, `${key} with ${label}: refused by the session check (${answer.status} ${answer.body.slice(0, 200)})`);
        } else {
          assert.equal(answer.status, 401, `${key} with ${label}: ${answer.status} ${answer.body.slice(0, 200)}`);
          if (method !== 'HEAD') {
            assert.match(answer.body, NOT_PAIRED);
            assert.equal(JSON.parse(answer.body).statusCode, 401, 'a JSON body');
          }
        }
      }
    }
    console.log(`# ${routes.length} routes x 4 cookies:\n# ${rows.join('\n# ')}`);
  });

  test("Vite's manifest is for the server, not served", async () => {
    for (const cookie of [undefined, live]) assert.equal((await ask(server.base, 'GET', '/.vite/manifest.json', cookie)).status, 404);
    assert.equal((await ask(server.base, 'GET', '/assets/app.js', undefined)).status, 200);
  });

  test('the share page takes its script and styles from the manifest', async () => {
    const albums = JSON.parse((await ask(server.base, 'GET', '/api/albums', live)).body) as { albums: { id: string }[] };
    const created = await fetch(`${server.base}/api/shares`, { method: 'POST', headers: { cookie: live, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'album', id: albums.albums[0]!.id }) });
    const page = await (await fetch(((await created.json()) as { url: string }).url)).text();
    assert.match(page, /<script type="module" src="\/assets\/share.js"><\/script>/);
    assert.match(page, /<link rel="stylesheet" href="\/assets\/share.css">/);
  });

  test('a WebSocket upgrade without a session gets 401 before any upgrade', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${server.base}/ws`, {
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') },
      });
      req.on('upgrade', () => resolve('101'));
      req.on('response', (res) => resolve(String(res.statusCode)));
      req.on('error', reject);
      req.end();
    });
    assert.equal(answer, '401');
  });
});
