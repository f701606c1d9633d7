/**
 * Two browsers open on the same server: what one plays shows on the other's Devices view
 * within 2 seconds, through the `/ws` now-playing socket.
 *
 * The pair is one Chromium page and one WebKitGTK session, each way round. With only one of the
 * browsers installed, two pages of that browser stand in (the test name says which pair ran).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createFixtureLibrary, type FixtureLibrary } from '../server/test/fixtures/library.js';
import { closeAll, launchAll, type E2EBrowser, type E2EPage } from './support/browsers.js';
import { BROWSER_NAMES, browserAvailable, type BrowserName } from './support/env.js';
import { expectTimeAdvances, navigate, openAlbum, openApp, streamUrl, tapTrack } from './support/musicsharer.js';
import { startServer, type RunningServer } from './support/server.js';

const BUDGET_MS = 2000;

const installed = BROWSER_NAMES.filter(browserAvailable);
/** [player, watcher] pairs. */
const pairs: [BrowserName, BrowserName][] =
  installed.length === 2
    ? [
        ['chromium', 'webkit'],
        ['webkit', 'chromium'],
      ]
    : installed.length === 1
      ? [[installed[0]!, installed[0]!]]
      : [];

let fixture: FixtureLibrary;
let server: RunningServer;
const browsers = new Map<BrowserName, E2EBrowser>();

describe('two browsers: the second shows what the first plays', { skip: pairs.length === 0 ? 'neither chromium nor webkit installed: apt-get install chromium webkit2gtk-driver xvfb' : false }, () => {
  before(async () => {
    fixture = await createFixtureLibrary();
    server = await startServer(fixture.root);
    await launchAll(installed, browsers);
  });
  after(() => closeAll(browsers, server, fixture));

  for (const [playerName, watcherName] of pairs) {
    test(`${playerName} plays, ${watcherName} shows it within ${BUDGET_MS / 1000} s`, async (t) => {
      const playerDevice = `Player ${playerName}`;
      const watcherDevice = `Watcher ${watcherName}`;
      const track = await server.track('An Hour of Quiet');
      let player: E2EPage | undefined;
      let watcher: E2EPage | undefined;
      try {
        watcher = await browsers.get(watcherName)!.newPage();
        player = await browsers.get(playerName)!.newPage();
        await openApp(watcher, server.base, { deviceName: watcherDevice });
        await navigate(watcher, 'Devices');
        await openApp(player, server.base, { deviceName: playerDevice });
        // Both connected and known to each other before anything plays.
        await watcher.waitFor(
          `"${playerDevice}" listed among the devices`,
          `(name) => [...document.querySelectorAll('button[data-device-id]')].some((el) => (el.textContent || '').includes(name))`,
          [playerDevice],
        );
        await openAlbum(player, 'Long');

        const tappedAt = Date.now();
        await tapTrack(player, 'An Hour of Quiet');
        const seen = await watcher.waitFor<string>(
          `"${playerDevice}" shown playing "An Hour of Quiet"`,
          `(name, title) => { const el = [...document.querySelectorAll('button[data-device-id]')].find((el) => (el.textContent || '').includes(name));
            return el && (el.textContent || '').includes(title) ? el.textContent : null; }`,
          [playerDevice, track.title],
          { timeoutMs: 10_000, intervalMs: 20 },
        );
        const elapsed = Date.now() - tappedAt;
        t.diagnostic(`${watcherName} showed the track ${elapsed} ms after the tap in ${playerName}`);
        // The player really plays it (not just announces it).
        await expectTimeAdvances(player, { src: streamUrl(server.base, track), what: '"An Hour of Quiet" on the player' });
        const listsItself = await watcher.run<boolean>(
          `(name) => [...document.querySelectorAll('button[data-device-id]')].some((el) => (el.textContent || '').includes(name))`,
          watcherDevice,
        );
        assert.equal(listsItself, false, 'the Devices view lists the other devices, not this one');
        assert.match(seen, new RegExp(playerDevice));
        assert.ok(elapsed <= BUDGET_MS, `the watcher showed it ${elapsed} ms after the tap (budget ${BUDGET_MS} ms)`);
      } finally {
        await player?.close();
        await watcher?.close();
      }
    });
  }
});
