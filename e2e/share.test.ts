/**
 * Share links, end to end (issue 13), with access control on: the owner (the harness, a paired
 * client) shares the fixture album "Silent Suite" (three short tracks, a folder cover added
 * here); a browser that never paired opens the link.
 *
 * In each browser: the page lists the album's tracks and shows its cover; tapping the second
 * track plays it (its time advances) and the third starts by itself when it ends (WebKitGTK is
 * the case: like iOS, it refuses play() without a tap); the same page can read nothing
 * else (the API and library media answer 401, a track outside the share 404); a revoked link
 * answers the 410 page, its media too. And a shared hour-long track seeks to 50:00 from the
 * page's slider and plays on from there.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { apiPaths, type Share, type Track } from '@musicsharer/shared';
import { ALBUM, createFixtureLibrary, type FixtureLibrary } from '../server/test/fixtures/library.js';
import { closeAll, launchAll, type E2EBrowser, type E2EPage } from './support/browsers.js';
import { BROWSER_NAMES, browserAvailable, type BrowserName } from './support/env.js';
import { dragSlider, expectTimeAdvances, waitForPlayingPast, waitForText } from './support/musicsharer.js';
import { startServer, type RunningServer } from './support/server.js';

const installed = BROWSER_NAMES.filter(browserAvailable);

let fixture: FixtureLibrary;
let server: RunningServer;
/** The album's tracks in disc/track order: First (4 s), Second (2 s), Third Silence (3 s). */
let album: Track[];
let share: Share;
const browsers = new Map<BrowserName, E2EBrowser>();

/** Page-side: the share page as the script left it (null until the player is up and the cover loaded). */
const SHARE_PAGE = `() => {
  const player = document.getElementById('share-player');
  const cover = document.querySelector('img.share-cover');
  if (!player || player.hidden || !cover || !cover.complete || cover.naturalWidth === 0) return null;
  return {
    title: (document.querySelector('.share-title') || {}).textContent,
    tracks: [...document.querySelectorAll('button.share-track')].map((b) => b.querySelector('.share-name').textContent),
    cover: { src: cover.getAttribute('src'), width: cover.naturalWidth },
    controls: [...player.querySelectorAll('button')].map((b) => b.getAttribute('aria-label')),
    seek: !!player.querySelector('input[type="range"][aria-label="Seek"]'),
  };
}`;

/** Page-side: the title of the track marked current, and what the player says plays. */
const CURRENT = `() => {
  const current = document.querySelector('button.share-track[aria-current="true"] .share-name');
  const now = document.querySelector('#share-player .sp-title');
  return { current: current && current.textContent, now: now && now.textContent };
}`;

const SEEK_SLIDER = '#share-player input[type="range"][aria-label="Seek"]';

/** The absolute URL the share page's `<audio>` plays a track of a share from. */
const shareStreamUrl = (track: Track, of: Share = share) => new URL(apiPaths.shareStream(of.id, track.id), `${server.base}/`).href;

async function status(path: string): Promise<number> {
  return (await fetch(new URL(path, `${server.base}/`))).status;
}

describe('share links in real browsers', { skip: installed.length === 0 ? 'neither chromium nor webkit installed: apt-get install chromium webkit2gtk-driver xvfb' : false }, () => {
  before(async () => {
    fixture = await createFixtureLibrary();
    // The fixture album has no picture: a folder cover, so the page and the preview have one.
    const cover = await sharp({ create: { width: 600, height: 600, channels: 3, background: '#d9285b' } }).jpeg().toBuffer();
    await writeFile(join(fixture.root, ALBUM.artist, ALBUM.title, 'cover.jpg'), cover);
    server = await startServer(fixture.root, { auth: true });
    album = (await server.tracks()).filter((t) => t.album === ALBUM.title);
    assert.deepEqual(
      album.map((t) => t.title),
      ['First Silence', 'Second Silence', 'Third Silence'],
    );
    share = await server.share({ type: 'album', id: album[0]!.albumId, expiresInDays: 1, download: false });
    await launchAll(installed, browsers);
  });
  after(() => closeAll(browsers, server, fixture));

  for (const name of installed) {
    test(`${name}: with no session, the shared album's page shows its tracks and cover; the second track plays and the third follows by itself`, async () => {
      const page: E2EPage = await browsers.get(name)!.newPage();
      try {
        await page.goto(share.url);
        const shown = await page.waitFor<{ title: string; tracks: string[]; cover: { src: string; width: number }; controls: string[]; seek: boolean }>(
          'the share page with its player and cover',
          SHARE_PAGE,
        );
        assert.equal(shown.title, ALBUM.title);
        assert.deepEqual(shown.tracks, ['First Silence', 'Second Silence', 'Third Silence']);
        assert.equal(shown.cover.src, `${apiPaths.shareCover(share.id)}?size=512`);
        assert.equal(shown.cover.width, 512);
        assert.deepEqual(shown.controls, ['Previous', 'Play', 'Next']);
        assert.ok(shown.seek, 'a seek slider');

        await page.tap({ css: 'button.share-track', text: 'Second Silence' });
        await expectTimeAdvances(page, { src: shareStreamUrl(album[1]!), what: '"Second Silence"' });
        assert.deepEqual(await page.run(CURRENT), { current: 'Second Silence', now: 'Second Silence' });

        // No tap: "Third Silence" starts when "Second Silence" (2 s) ends.
        await waitForPlayingPast(page, shareStreamUrl(album[2]!), 0.2, '"Third Silence" to start by itself after "Second Silence"');
        assert.deepEqual(await page.run(CURRENT), { current: 'Third Silence', now: 'Third Silence' });
        // Script errors only: Chromium also logs a 404 for /favicon.ico, which the page does not name.
        assert.deepEqual(
          page.errors.filter((e) => e.startsWith('pageerror')),
          [],
          'no script errors',
        );
      } finally {
        await page.close();
      }
    });

    test(`${name}: the same link opens nothing else: the API and the library's media answer 401, a track outside the share 404`, async () => {
      const page = await browsers.get(name)!.newPage();
      try {
        await page.goto(share.url);
        await page.waitFor('the share page', SHARE_PAGE);
        const outside = (await server.tracks()).find((t) => t.album !== ALBUM.title)!;
        const paths = [
          apiPaths.tracks,
          apiPaths.albums,
          apiPaths.session,
          apiPaths.shares,
          apiPaths.stream(album[0]!.id),
          apiPaths.cover(album[0]!.albumId),
          apiPaths.shareStream(share.id, outside.id),
          apiPaths.shareStream(share.id, album[0]!.id),
        ];
        const statuses = await page.run<number[]>(
          `(paths) => Promise.all(paths.map((path) => fetch(path, { headers: { range: 'bytes=0-1' } }).then((r) => r.status)))`,
          paths,
        );
        assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401, 404, 206]);
      } finally {
        await page.close();
      }
    });

    test(`${name}: a shared hour-long track seeks to 50:00 from the slider and plays on from there`, async () => {
      const hour = await server.track('An Hour of Quiet');
      const link = await server.share({ type: 'track', id: hour.id });
      const src = shareStreamUrl(hour, link);
      const page = await browsers.get(name)!.newPage();
      try {
        await page.goto(link.url);
        await page.tap({ css: 'button.share-track', text: 'An Hour of Quiet' });
        await expectTimeAdvances(page, { src, what: '"An Hour of Quiet"' });
        const max = await page.waitFor<number>(
          'the seek slider to span the hour',
          `(css) => { const s = document.querySelector(css); return s && !s.disabled && Number(s.max) >= 3000 ? Number(s.max) : null; }`,
          [SEEK_SLIDER],
        );
        assert.ok(Math.abs(max - 3600) < 2, `slider max ${max}`);
        await dragSlider(page, SEEK_SLIDER, 3000);
        const landed = await waitForPlayingPast(page, src, 3000 - 1e-3, 'playback at 50:00 after the seek');
        assert.ok(landed.currentTime < 3010, `playback resumed at ${landed.currentTime} s, not near 3000 s`);
        await waitForPlayingPast(page, src, landed.currentTime + 0.5, 'playback to continue past 50:00');
        await waitForText(page, '#share-player .sp-elapsed', /^50:\d\d$/);
        await waitForText(page, '#share-player .sp-remaining', /^-(9|10):\d\d$/);
      } finally {
        await page.close();
      }
    });

    test(`${name}: a revoked link shows the 410 page, and its media answer 410`, async () => {
      const revoked = await server.share({ type: 'album', id: album[0]!.albumId });
      await server.revokeShare(revoked.id);
      assert.equal(await status(apiPaths.sharePage(revoked.id)), 410);
      assert.equal(await status(apiPaths.shareStream(revoked.id, album[0]!.id)), 410);
      assert.equal(await status(`${apiPaths.shareCover(revoked.id)}?size=96`), 410);
      const page = await browsers.get(name)!.newPage();
      try {
        await page.goto(revoked.url);
        const text = await page.waitFor<string>(
          'the "link not available" page',
          `() => { const h = document.querySelector('h1'); return h && h.textContent === 'Link not available' ? document.body.innerText : null; }`,
        );
        assert.match(text, /expired, was turned off, or never existed/);
        assert.equal(text.includes(ALBUM.title), false, 'nothing of the album on the 410 page');
        assert.equal(await page.run<number>(`() => document.querySelectorAll('button.share-track, audio').length`), 0);
      } finally {
        await page.close();
      }
    });
  }
});
