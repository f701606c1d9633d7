/**
 * Playlists and a URL for every screen, end to end (issue 14), over the fixture library: three
 * albums ("Silent Suite", "Variables", "Formats").
 *
 * In each browser: make a playlist on the Playlists screen, add a track of each album from its
 * row's "…" menu, reorder (Edit -> Move up), reload: the same screen, the same order. A playlist
 * made in one browser shows in the other's Playlists screen within 2 seconds (two pages of one
 * browser when only one is installed). Opening `/albums/<id>` directly shows that album, and the
 * browser's back returns from an album to the grid (popstate, as iOS's edge swipe is).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiPaths, type PlaylistDetailResponse, type PlaylistListResponse, type Track } from '@musicsharer/shared';
import { ALBUM, createFixtureLibrary, type FixtureLibrary } from '../server/test/fixtures/library.js';
import { closeAll, launchAll, type E2EBrowser, type E2EPage } from './support/browsers.js';
import { BROWSER_NAMES, browserAvailable, type BrowserName } from './support/env.js';
import { navigate, openAlbum, openApp } from './support/musicsharer.js';
import { startServer, type RunningServer } from './support/server.js';

const LIVE_BUDGET_MS = 2000;

const installed = BROWSER_NAMES.filter(browserAvailable);
const other = (name: BrowserName): BrowserName => installed.find((n) => n !== name) ?? name;

let fixture: FixtureLibrary;
let server: RunningServer;
const browsers = new Map<BrowserName, E2EBrowser>();

/** Page-side: the track ids of the rows shown, in order. */
const ROW_IDS = `() => [...document.querySelectorAll('button[data-track-id]')].map((b) => b.getAttribute('data-track-id'))`;
/** Page-side: the path (and query) shown. */
const WHERE = `() => location.pathname + location.search`;
/** Page-side: the playlist with this name is listed (its id), else null. */
const LISTED = `(name) => { for (const b of document.querySelectorAll('button[data-playlist-id]')) { if ((b.textContent || '').startsWith(name)) return b.getAttribute('data-playlist-id'); } return null; }`;

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${server.base}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return (await response.json()) as T;
}

const playlistIds = async (id: string) => (await api<PlaylistDetailResponse>(apiPaths.playlist(id))).tracks.map((t) => t.id);

async function waitForServer(what: string, check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Playlists -> New playlist -> a name -> Create: the app opens the new playlist; its id. */
async function createPlaylist(page: E2EPage, name: string): Promise<string> {
  await navigate(page, 'Playlists');
  await page.tap({ css: 'button', name: 'New playlist' });
  await page.type({ css: 'input[aria-label="New playlist name"]' }, name);
  await page.tap({ css: 'button', name: 'Create' });
  const path = await page.waitFor<string>('the new playlist’s page', `() => /^\\/playlists\\/[^/]+$/.test(location.pathname) && location.pathname`);
  await page.waitFor(`the heading "${name}"`, `(name) => [...document.querySelectorAll('h1')].some((h) => h.textContent === name)`, [name]);
  return decodeURIComponent(path.split('/')[2]!);
}

/** From its album's page, a track's "…" -> Add to playlist… -> the playlist. */
async function addFromAlbum(page: E2EPage, album: string, track: Track, playlist: { id: string; name: string }) {
  const before = (await playlistIds(playlist.id)).length;
  await navigate(page, 'Albums');
  await openAlbum(page, album);
  await page.tap({ css: 'button', name: `More for ${track.title}` });
  await page.tap({ css: '[role="dialog"] button', name: 'Add to playlist…' });
  await page.tap({ css: '[role="dialog"] button', name: playlist.name });
  await waitForServer(`"${track.title}" in the playlist`, async () => (await playlistIds(playlist.id)).length === before + 1);
}

describe('playlists and screen URLs in real browsers', { skip: installed.length === 0 ? 'neither chromium nor webkit installed: apt-get install chromium webkit2gtk-driver xvfb' : false }, () => {
  let first: Track;
  let variable: Track;
  let lossless: Track;

  before(async () => {
    fixture = await createFixtureLibrary();
    server = await startServer(fixture.root);
    first = await server.track('First Silence');
    variable = await server.track('Variable Quiet');
    lossless = await server.track('Lossless');
    await launchAll(installed, browsers);
  });
  after(() => closeAll(browsers, server, fixture));

  for (const name of installed) {
    test(`${name}: make a playlist, add a track from each of three albums, reorder, reload: same screen, same order`, async () => {
      const page = await browsers.get(name)!.newPage();
      try {
        await openApp(page, server.base);
        const playlist = { name: `Road trip ${name}`, id: '' };
        playlist.id = await createPlaylist(page, playlist.name);
        await addFromAlbum(page, ALBUM.title, first, playlist);
        await addFromAlbum(page, 'Variables', variable, playlist);
        await addFromAlbum(page, 'Formats', lossless, playlist);

        await navigate(page, 'Playlists');
        await page.tap({ css: `button[data-playlist-id="${playlist.id}"]` });
        const added = [first.id, variable.id, lossless.id];
        await page.waitFor('the three tracks in the order added', `(ids) => { const shown = (${ROW_IDS})(); return shown.join() === ids.join() && shown; }`, [added]);

        await page.tap({ css: 'button', name: 'Edit' });
        await page.tap({ css: 'button', name: `Move “${lossless.title}” up` });
        const reordered = [first.id, lossless.id, variable.id];
        await waitForServer('the new order saved', async () => (await playlistIds(playlist.id)).join() === reordered.join());

        const url = `${server.base}/playlists/${playlist.id}`;
        assert.equal(await page.run<string>(WHERE), `/playlists/${playlist.id}`);
        await page.goto(url);
        await page.waitFor('the reordered tracks after the reload', `(ids) => { const shown = (${ROW_IDS})(); return shown.join() === ids.join() && shown; }`, [reordered]);
        assert.equal(await page.run<string>(WHERE), `/playlists/${playlist.id}`);
        await page.waitFor(`the heading "${playlist.name}"`, `(name) => [...document.querySelectorAll('h1')].some((h) => h.textContent === name)`, [playlist.name]);
      } finally {
        await page.close();
      }
    });

    test(`${name}: a playlist made in ${other(name)} shows in ${name}'s Playlists within ${LIVE_BUDGET_MS} ms`, async () => {
      let watcher: E2EPage | undefined;
      let maker: E2EPage | undefined;
      try {
        watcher = await browsers.get(name)!.newPage();
        await openApp(watcher, server.base);
        await navigate(watcher, 'Playlists');
        await watcher.waitFor('the Playlists screen', `() => !!document.querySelector('h1') && [...document.querySelectorAll('h1')].some((h) => h.textContent === 'Playlists')`);

        maker = await browsers.get(other(name))!.newPage();
        await openApp(maker, server.base);
        const made = `Shared ${name} ${Date.now()}`;
        const id = await createPlaylist(maker, made);
        const listed = (await api<PlaylistListResponse>(apiPaths.playlists)).playlists.some((p) => p.id === id);
        assert.ok(listed, 'the server lists it');
        const shown = await watcher.waitFor<string>(`"${made}" in the list`, LISTED, [made], { timeoutMs: LIVE_BUDGET_MS });
        assert.equal(shown, id);
      } finally {
        await maker?.close();
        await watcher?.close();
      }
    });

    test(`${name}: /albums/<id> opened directly shows that album; back returns from an album to the grid`, async () => {
      const page = await browsers.get(name)!.newPage();
      try {
        await page.goto(`${server.base}/albums/${encodeURIComponent(first.albumId)}`);
        await page.waitFor('the album’s tracks', `(id) => (${ROW_IDS})().includes(id)`, [first.id]);
        await page.waitFor(`the heading "${ALBUM.title}"`, `(title) => [...document.querySelectorAll('h1')].some((h) => h.textContent === title)`, [ALBUM.title]);
        // Its Back, with no entry of ours below: the grid, in place.
        await page.tap({ css: 'button', name: 'Back' });
        await page.waitFor('the album grid', `() => location.pathname === '/albums' && document.querySelectorAll('button[data-album-id]').length > 0 && document.querySelectorAll('button[data-track-id]').length === 0`);

        // From the grid into an album, then the browser's back (popstate).
        await openAlbum(page, ALBUM.title);
        await page.waitFor('the album page', `(path) => location.pathname === path && document.querySelectorAll('button[data-track-id]').length > 0`, [`/albums/${first.albumId}`]);
        await page.run(`() => history.back()`);
        await page.waitFor('the album grid after back', `() => location.pathname === '/albums' && document.querySelectorAll('button[data-album-id]').length > 0 && document.querySelectorAll('button[data-track-id]').length === 0`);
      } finally {
        await page.close();
      }
    });
  }
});
