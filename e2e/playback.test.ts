/**
 * Playback, end to end: the real server over a generated library, the production client, in
 * Chromium (iPhone-sized touch context) and WebKitGTK (the engine family of iOS Safari).
 * Every interaction is a real tap or click; every media assertion reads the `<audio>` element.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ALBUM, createFixtureLibrary, type FixtureLibrary } from '../server/test/fixtures/library.js';
import { pagePerTest, type E2EPage } from './support/browsers.js';
import { BROWSER_NAMES, skipUnless } from './support/env.js';
import {
  audioState,
  expectTimeAdvances,
  navigate,
  openAlbum,
  openApp,
  search,
  SEEK_SLIDER,
  seekAndPlayOn,
  streamUrl,
  tapTrack,
  waitForPlayingPast,
  waitForSliderSpan,
  waitForText,
} from './support/musicsharer.js';
import { startServer, type RunningServer } from './support/server.js';

let fixture: FixtureLibrary;
let server: RunningServer;

before(async () => {
  fixture = await createFixtureLibrary();
  server = await startServer(fixture.root);
});
after(async () => {
  await server?.close();
  await fixture?.cleanup();
});

for (const name of BROWSER_NAMES) {
  describe(`${name}: playback`, { skip: skipUnless(name) }, () => {
    const current = pagePerTest(name);
    let page: E2EPage;
    beforeEach(() => {
      page = current();
    });

    test('tap a track: the audio plays (its time advances)', async () => {
      const first = await server.track('First Silence');
      await openApp(page, server.base);
      await openAlbum(page, ALBUM.title);
      await tapTrack(page, 'First Silence');

      const { from, to } = await expectTimeAdvances(page, { src: streamUrl(server.base, first), what: '"First Silence"' });
      assert.ok(to > from + 0.5, `time advanced from ${from} to ${to}`);
      await waitForText(page, '[data-testid="now-title"]', /First Silence/);
      await page.waitFor('the mini player to offer Pause', `() => !!document.querySelector('button[aria-label="Pause"]')`);
    });

    test('search narrows the list; tapping a result plays it', async () => {
      const wanted = await server.track('Variable Quiet');
      const all = await server.tracks();
      await openApp(page, server.base);
      await navigate(page, 'Tracks');
      const before = await page.waitFor<number>(
        'the Tracks view to list the library',
        `(count) => { const n = document.querySelectorAll('button[data-track-id]').length; return n >= count ? n : null; }`,
        [Math.min(all.length, 5)],
      );

      await search(page, 'variable');
      const rows = await page.waitFor<{ id: string; text: string }[]>(
        'the list to narrow to "Variable Quiet"',
        `(id) => { const rows = [...document.querySelectorAll('button[data-track-id]')].filter((el) => el.getBoundingClientRect().height > 0);
          return rows.length === 1 && rows[0].getAttribute('data-track-id') === id ? rows.map((el) => ({ id: el.getAttribute('data-track-id'), text: el.textContent })) : null; }`,
        [wanted.id],
      );
      assert.ok(rows.length < before, `${rows.length} result row(s) instead of ${before}`);
      assert.match(rows[0]!.text, /Variable Quiet/);

      await tapTrack(page, 'Variable Quiet');
      await expectTimeAdvances(page, { src: streamUrl(server.base, wanted), what: 'the search result "Variable Quiet"' });
      await waitForText(page, '[data-testid="now-title"]', /Variable Quiet/);
    });

    test('seek to 50:00 in a 1-hour MP3 from the slider: playback continues from there', async () => {
      const hour = await server.track('An Hour of Quiet');
      const src = streamUrl(server.base, hour);
      await openApp(page, server.base);
      await openAlbum(page, 'Long');
      await tapTrack(page, 'An Hour of Quiet');
      await expectTimeAdvances(page, { src, what: '"An Hour of Quiet"' });

      await page.tap({ css: 'button', name: 'Open player' });
      await waitForSliderSpan(page, 3600);
      await waitForText(page, '[data-testid="total"]', /^(1:00:00|60:00)$/);

      const later = await seekAndPlayOn(page, src, 3000);
      assert.ok(later > 3000.5);
      await waitForText(page, '[data-testid="elapsed"]', /^50:\d\d$/);
      const slider = await page.run<number>(`(css) => Number(document.querySelector(css).value)`, SEEK_SLIDER);
      assert.ok(slider >= 3000 && slider < 3020, `slider reads ${slider}`);
    });

    test('the end of a track starts the next one of the album without a tap', async () => {
      const second = await server.track('Second Silence');
      const third = await server.track('Third Silence');
      await openApp(page, server.base);
      await openAlbum(page, ALBUM.title);
      await tapTrack(page, 'Second Silence');
      await waitForPlayingPast(page, streamUrl(server.base, second), -1, '"Second Silence" (2 s) to play');

      // No tap from here on: "Second Silence" ends, "Third Silence" (disc 2) follows.
      const next = await waitForPlayingPast(page, streamUrl(server.base, third), -1, 'the audio to move on to "Third Silence" and play', {
        timeoutMs: 20_000,
      });
      assert.ok(next.currentTime < 2.5, `"Third Silence" started at ${next.currentTime} s`);
      await expectTimeAdvances(page, { src: streamUrl(server.base, third), what: '"Third Silence"' });
      await waitForText(page, '[data-testid="now-title"]', /Third Silence/);
      assert.equal((await audioState(page)).error, null);
    });
  });
}
