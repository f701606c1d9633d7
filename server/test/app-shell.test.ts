/**
 * A URL for every screen (issue 14): the screen paths answer with the app shell (public, no-cache),
 * bad ids and unknown paths 404, and the other prefixes keep their own handlers.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listenWithAuth, NOT_PAIRED, type AuthApp } from './auth/helpers.js';
import { listenOnLoopback, type ListeningApp } from './fixtures/app.js';
import { mp3, tempLibrary, type TempLibrary } from './library/helpers.js';

const SHELL = '<!doctype html><title>musicsharer shell</title>';
const SCREENS = ['/albums', '/albums/AbC_12-x', '/artists', '/artists/x', '/tracks', '/playlists', '/playlists/p1', '/devices', '/search', '/search?q=caf%C3%A9'];

let lib: TempLibrary;
let clientDir: string;
let server: AuthApp;
before(async () => {
  lib = await tempLibrary();
  await lib.put('A/1.mp3', mp3({ title: 'One', artist: 'A', album: 'A' }));
  clientDir = await mkdtemp(join(tmpdir(), 'musicsharer-shell-'));
  await mkdir(join(clientDir, 'assets'));
  await writeFile(join(clientDir, 'index.html'), SHELL);
  await writeFile(join(clientDir, 'assets', 'app.js'), 'console.log(1)');
  server = await listenWithAuth(lib.root, {}, { clientDir });
});
after(async () => {
  await server?.app.close();
  await lib?.cleanup();
  await rm(clientDir, { recursive: true, force: true });
});

describe('screen URLs', () => {
  test('every screen path: 200 with the shell, no-cache, without a session', async () => {
    for (const path of SCREENS) {
      const response = await fetch(`${server.base}${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(await response.text(), SHELL, path);
      assert.match(response.headers.get('content-type')!, /^text\/html/, path);
      assert.equal(response.headers.get('cache-control'), 'no-cache', path);
      const head = await fetch(`${server.base}${path}`, { method: 'HEAD' });
      assert.equal(head.status, 200, `HEAD ${path}`);
    }
    assert.equal(await (await fetch(`${server.base}/`)).text(), SHELL, '/ as before');
  });

  test('an id of another shape, a deeper path or an unknown one: 404', async () => {
    for (const path of ['/albums/a.b', `/albums/${'a'.repeat(65)}`, '/albums/%20', '/albums/a/b', '/playlists/x/y', '/nowhere', '/album', '/tracks/x']) {
      const response = await fetch(`${server.base}${path}`);
      assert.equal(response.status, 404, path);
      assert.notEqual(await response.text(), SHELL, path);
    }
  });

  test('the other prefixes keep their handlers', async () => {
    const status = async (path: string, init?: RequestInit) => (await fetch(`${server.base}${path}`, { redirect: 'manual', ...init })).status;
    const api = await fetch(`${server.base}/api/playlists`);
    assert.equal(api.status, 401);
    assert.match(await api.text(), NOT_PAIRED);
    assert.equal(await status('/api/no-such-route'), 404);
    assert.equal(await status('/stream/abc'), 401);
    assert.equal(await status('/cover/abc'), 401);
    assert.equal(await status('/ws'), 401);
    assert.equal(await status('/pair/' + 'x'.repeat(43)), 410);
    assert.equal(await status('/s/' + 'x'.repeat(22)), 404);
    assert.equal(await status('/assets/app.js'), 200);
  });
});

test('without a client build, the screen paths answer with the placeholder page', async () => {
  let plain: ListeningApp | undefined;
  try {
    plain = await listenOnLoopback(lib.root);
    const response = await fetch(`${plain.base}/playlists/abc`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /web client has not been built/);
    assert.equal((await fetch(`${plain.base}/nowhere`)).status, 404);
  } finally {
    await plain?.app.close();
  }
});
