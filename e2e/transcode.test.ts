/**
 * Transcoding, end to end (issue 15): a library holding a 1-hour WMA (made by ffmpeg at test
 * time, a tone that changes every minute), the real server with its ffmpeg, the production
 * client. No browser plays WMA (Chromium does not; WebKitGTK's GStreamer may claim to): a tap
 * plays the track's MP3 form (`?format=mp3`), the total time reads 1:00:00, and a seek to 50:00
 * from the slider plays on from there on first play.
 *
 * Chromium asks for a range at the byte offset of 50:00 as soon as the slider lets go, which the
 * server encodes at once. WebKitGTK (GStreamer) here asks for no range at all: it reads the one
 * stream it opened and waits for the bytes of 50:00 to arrive, i.e. for the server to encode the
 * 50 minutes before them (~35 s on this 2-core machine). So in WebKit the seek is given that long.
 *
 * Needs ffmpeg: skipped loudly without it, except in CI (which installs it), where its absence
 * fails the run.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Track } from '@musicsharer/shared';
import { keptToneHour, skipWithoutFfmpeg } from '../server/test/transcode/fixtures.js';
import { pagePerTest } from './support/browsers.js';
import { BROWSER_NAMES, skipUnless } from './support/env.js';
import { expectTimeAdvances, openAlbum, openApp, seekAndPlayOn, streamUrl, tapTrack, waitForSliderSpan, waitForText } from './support/musicsharer.js';
import { startServer, type RunningServer } from './support/server.js';

const noFfmpeg = skipWithoutFfmpeg('the transcoding end-to-end suite');

const TITLE = 'An Hour of WMA';
const ALBUM = 'Old Rips';
/** How long playback may take to go on after the seek: see above for WebKitGTK's sequential read. */
const AFTER_SEEK_MS = { chromium: 15_000, webkit: 120_000 } as const;

/**
 * The 1-hour WMA (WMA v2, 64 kbit/s, 22.05 kHz mono, tone 200 + 20 * minute Hz, tagged), made
 * once per machine (~15 s) and kept in the temp folder: the suite copies it into its library.
 */
async function hourWma(): Promise<string> {
  const tags = { title: TITLE, artist: 'The Testers', album: ALBUM, track: '1' };
  const { path } = await keptToneHour({
    folder: 'musicsharer-test-fixtures',
    file: 'hour-tones-v2.wma',
    rate: 22_050,
    channels: 1,
    encoder: [...Object.entries(tags).flatMap(([name, value]) => ['-metadata', `${name}=${value}`]), '-c:a', 'wmav2', '-b:a', '64k', '-f', 'asf'],
  });
  return path;
}

let root: string;
let server: RunningServer;
let hour: Track;

before(async () => {
  if (noFfmpeg) return;
  root = await mkdtemp(join(tmpdir(), 'musicsharer-e2e-transcode-'));
  await mkdir(join(root, 'media', ALBUM), { recursive: true });
  await copyFile(await hourWma(), join(root, 'media', ALBUM, '01 An Hour of WMA.wma'));
  server = await startServer(join(root, 'media'));
  hour = await server.track(TITLE);
});
after(async () => {
  await server?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

for (const name of BROWSER_NAMES) {
  describe(`${name}: transcoding`, { skip: noFfmpeg || skipUnless(name) }, () => {
    const page = pagePerTest(name);

    // Its own timeout: WebKitGTK's wait after the seek alone may take most of the default 120 s.
    test('a 1-hour WMA: a tap plays its MP3 form, it lasts 1:00:00, and a seek to 50:00 from the slider plays on from there', { timeout: 90_000 + AFTER_SEEK_MS[name] }, async () => {
      assert.equal(hour.mimeType, 'audio/x-ms-wma');
      assert.ok(Math.abs((hour.duration ?? 0) - 3600) < 1, `the catalog's duration: ${hour.duration}`);
      const src = `${streamUrl(server.base, hour)}?format=mp3`;
      await openApp(page(), server.base);
      await openAlbum(page(), ALBUM);
      await tapTrack(page(), TITLE);
      await expectTimeAdvances(page(), { src, what: `"${TITLE}" as MP3` });

      await page().tap({ css: 'button', name: 'Open player' });
      await waitForSliderSpan(page(), 3600);
      await waitForText(page(), '[data-testid="total"]', /^1:00:00$/);
      const later = await seekAndPlayOn(page(), src, 3000, { timeoutMs: AFTER_SEEK_MS[name] });
      assert.ok(later > 3000.5 && later < 3020, `playing at ${later} s`);
      await waitForText(page(), '[data-testid="elapsed"]', /^50:\d\d$/);
    });
  });
}
