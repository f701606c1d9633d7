/**
 * Access control, end to end (issue 12), with the server's access control on: a fresh browser
 * sees the pairing screen and no library data; the pairing link lets it in to browse and play;
 * a 6-digit code made on a paired browser (Devices -> Add a device) pairs another; signing a
 * browser out from the other sends it back to the pairing screen within 2 seconds.
 *
 * In each browser. The "other" browser (the one already paired, that makes the code or signs
 * out) is the other engine when both are installed, else a second page of the same one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ALBUM, createFixtureLibrary, type FixtureLibrary } from '../server/test/fixtures/library.js';
import { closeAll, launchAll, type E2EBrowser, type E2EPage } from './support/browsers.js';
import { BROWSER_NAMES, browserAvailable, type BrowserName } from './support/env.js';
import { expectTimeAdvances, navigate, openAlbum, streamUrl, tapTrack } from './support/musicsharer.js';
import { startServer, type RunningServer } from './support/server.js';

const REVOKE_BUDGET_MS = 2000;
const PAIRING_HEADING = 'Pair this device with musicsharer';

const installed = BROWSER_NAMES.filter(browserAvailable);
const other = (name: BrowserName): BrowserName => installed.find((n) => n !== name) ?? name;

let fixture: FixtureLibrary;
let server: RunningServer;
const browsers = new Map<BrowserName, E2EBrowser>();

/** Page-side: the pairing screen is up (its heading). */
const ON_PAIRING_SCREEN = `(heading) => [...document.querySelectorAll('h1')].some((h) => (h.textContent || '').trim() === heading)`;
/** Page-side: the app is up (its search box). */
const IN_APP = `() => !!document.querySelector('input[type="search"][aria-label="Search"]')`;

async function openFresh(page: E2EPage, url: string, deviceName: string) {
  await page.goto(url, { localStorage: { 'musicsharer.deviceName': deviceName } });
}

/** A browser paired through a fresh pairing link, on the app. */
async function pairByLink(page: E2EPage, deviceName: string) {
  await openFresh(page, await server.pairLink(), deviceName);
  await page.waitFor('the app after the pairing link', IN_APP);
}

/** This browser's own session id, as the server sees it. */
function sessionId(page: E2EPage): Promise<string> {
  return page.run<string>(`() => fetch('/api/session').then((r) => r.json()).then((s) => s.session.id)`);
}

describe('access control in real browsers', { skip: installed.length === 0 ? 'neither chromium nor webkit installed: apt-get install chromium webkit2gtk-driver xvfb' : false }, () => {
  before(async () => {
    fixture = await createFixtureLibrary();
    server = await startServer(fixture.root, { auth: true });
    await launchAll(installed, browsers);
  });
  after(() => closeAll(browsers, server, fixture));

  for (const name of installed) {
    test(`${name}: a fresh browser sees the pairing screen and no library data`, async () => {
      const page = await browsers.get(name)!.newPage();
      try {
        await openFresh(page, `${server.base}/`, `Fresh ${name}`);
        await page.waitFor('the pairing screen', ON_PAIRING_SCREEN, [PAIRING_HEADING]);
        const titles = [...new Set((await server.tracks()).flatMap((t) => [t.title, t.album ?? '']).filter(Boolean))];
        assert.ok(titles.includes(ALBUM.title));
        const shown = await page.run<{ text: string; rows: number; covers: number }>(
          `() => ({ text: document.body.innerText, rows: document.querySelectorAll('button[data-track-id]').length, covers: document.querySelectorAll('img').length })`,
        );
        assert.deepEqual(
          titles.filter((title) => shown.text.includes(title)),
          [],
          'no album or track title on the pairing screen',
        );
        assert.equal(shown.rows, 0);
        assert.equal(shown.covers, 0);
        const statuses = await page.run<number[]>(
          `() => Promise.all(['/api/session', '/api/albums', '/api/tracks'].map((path) => fetch(path).then((r) => r.status)))`,
        );
        assert.deepEqual(statuses, [401, 401, 401], 'the API answers this browser 401');
        // The code field as a phone needs it.
        const field = await page.run<Record<string, string | null>>(
          `() => { const el = document.getElementById('pair-code'); return { inputmode: el.getAttribute('inputmode'), autocomplete: el.getAttribute('autocomplete'), maxlength: el.getAttribute('maxlength') }; }`,
        );
        assert.deepEqual(field, { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' });
      } finally {
        await page.close();
      }
    });

    test(`${name}: after opening the pairing link it browses and plays`, async () => {
      const page = await browsers.get(name)!.newPage();
      try {
        await pairByLink(page, `Linked ${name}`);
        const track = await server.track('First Silence');
        await openAlbum(page, ALBUM.title);
        await tapTrack(page, 'First Silence');
        await expectTimeAdvances(page, { src: streamUrl(server.base, track), what: '"First Silence"' });
        assert.equal(await page.run<boolean>(ON_PAIRING_SCREEN, PAIRING_HEADING), false);
      } finally {
        await page.close();
      }
    });

    test(`${name}: a 6-digit code made in ${other(name)} (Devices -> Add a device) pairs it`, async () => {
      let paired: E2EPage | undefined;
      let fresh: E2EPage | undefined;
      try {
        paired = await browsers.get(other(name))!.newPage();
        await pairByLink(paired, `Code maker ${other(name)}`);
        await navigate(paired, 'Devices');
        await paired.tap({ css: 'button', name: 'Add a device' });
        const code = await paired.waitFor<string>('a pairing code', `() => { const el = document.querySelector('[data-pair-code]'); return el && el.getAttribute('data-pair-code'); }`);
        assert.match(code, /^\d{6}$/);
        await paired.waitFor('the QR code drawn', `() => !!document.querySelector('[role="img"][aria-label="QR code of the pairing link"] svg path')`);

        fresh = await browsers.get(name)!.newPage();
        await openFresh(fresh, `${server.base}/`, `Code taker ${name}`);
        await fresh.waitFor('the pairing screen', ON_PAIRING_SCREEN, [PAIRING_HEADING]);
        await fresh.type({ css: '#pair-code' }, code);
        await fresh.tap({ css: 'button[type="submit"]', name: 'Pair' });
        await fresh.waitFor('the app after pairing by code', IN_APP);
        await openAlbum(fresh, ALBUM.title);
        await fresh.waitFor('the album’s tracks', `() => document.querySelectorAll('button[data-track-id]').length === 3`);
        // The code was used: it does not pair a third browser.
        const again = await fresh.run<number>(
          `(code) => fetch('/api/pair', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) }).then((r) => r.status)`,
          code,
        );
        assert.equal(again, 401);
      } finally {
        await fresh?.close();
        await paired?.close();
      }
    });

    test(`${name}: signed out from ${other(name)} (Devices -> Sign out), it shows the pairing screen within ${REVOKE_BUDGET_MS / 1000} s`, async (t) => {
      let admin: E2EPage | undefined;
      let victim: E2EPage | undefined;
      try {
        victim = await browsers.get(name)!.newPage();
        await pairByLink(victim, `Victim ${name}`);
        const id = await sessionId(victim);
        // Its now-playing socket is up (the server closes it on revocation).
        await navigate(victim, 'Devices');
        await victim.waitFor('the socket open', `() => { const el = document.querySelector('[role="status"][data-state]'); return el && el.getAttribute('data-state') === 'open'; }`);

        admin = await browsers.get(other(name))!.newPage();
        await pairByLink(admin, `Admin ${other(name)}`);
        await navigate(admin, 'Devices');
        const row = `li[data-session-id="${id}"]`;
        await admin.waitFor(`the victim’s row (${id})`, `(css) => !!document.querySelector(css)`, [row]);

        const tappedAt = Date.now();
        await admin.tap({ css: `${row} button` });
        await victim.waitFor('the pairing screen after being signed out', ON_PAIRING_SCREEN, [PAIRING_HEADING], { timeoutMs: 10_000, intervalMs: 20 });
        const elapsed = Date.now() - tappedAt;
        t.diagnostic(`${name} showed the pairing screen ${elapsed} ms after the tap in ${other(name)}`);
        await admin.waitFor('the row gone from the list', `(css) => !document.querySelector(css)`, [row]);
        assert.equal(await victim.run<number>(`() => fetch('/api/albums').then((r) => r.status)`), 401);
        assert.ok(elapsed <= REVOKE_BUDGET_MS, `the pairing screen showed ${elapsed} ms after the tap (budget ${REVOKE_BUDGET_MS} ms)`);
      } finally {
        await victim?.close();
        await admin?.close();
      }
    });
  }
});
