/**
 * Smoke test of the production build (client/dist, made by `npm run build`) as the server
 * serves it: the page, its hashed assets with the right types and caching, the web app
 * manifest and icons; then the page itself in real browsers renders the album grid cleanly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ALBUM, createFixtureLibrary, type FixtureLibrary } from '../server/test/fixtures/library.js';
import { chromiumBrowser, launchBrowser, type E2EBrowser } from './support/browsers.js';
import { skipUnless } from './support/env.js';
import { initialAssets } from './support/html.js';
import { openApp } from './support/musicsharer.js';
import { startServer, type RunningServer } from './support/server.js';

let fixture: FixtureLibrary;
let server: RunningServer;

before(async () => {
  fixture = await createFixtureLibrary({ hourLong: false });
  server = await startServer(fixture.root);
});
after(async () => {
  await server?.close();
  await fixture?.cleanup();
});

const HASHED_ASSET = /^\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.(js|css)$/;

async function get(path: string) {
  const response = await fetch(new URL(path, `${server.base}/`));
  return { status: response.status, type: response.headers.get('content-type') ?? '', cache: response.headers.get('cache-control') ?? '', body: Buffer.from(await response.arrayBuffer()) };
}

describe('production build over HTTP', () => {
  test('/ is the built page, referencing hashed assets', async () => {
    const page = await get('/');
    assert.equal(page.status, 200);
    assert.match(page.type, /^text\/html/);
    assert.match(page.cache, /no-cache/, 'index.html is revalidated so a new build shows up');
    const html = page.body.toString('utf8');
    assert.match(html, /<meta[^>]+name="viewport"/);
    const assets = initialAssets(html);
    assert.ok(assets.scripts.length >= 1, 'an entry script');
    assert.ok(assets.stylesheets.length >= 1, 'a stylesheet');
    for (const path of [...assets.scripts, ...assets.modulePreloads, ...assets.stylesheets]) {
      assert.match(path, HASHED_ASSET);
    }
  });

  test('each asset is served with its content type and cached for good', async () => {
    const assets = initialAssets((await get('/')).body.toString('utf8'));
    const all = [...assets.scripts, ...assets.modulePreloads, ...assets.stylesheets];
    for (const path of all) {
      const asset = await get(path);
      assert.equal(asset.status, 200, path);
      assert.ok(asset.body.length > 0, `${path} is empty`);
      assert.match(asset.type, path.endsWith('.css') ? /^text\/css/ : /^(text|application)\/javascript/, path);
      assert.match(asset.cache, /immutable/, path);
    }
  });

  test('the web app manifest and the apple-touch-icon are reachable', async () => {
    const assets = initialAssets((await get('/')).body.toString('utf8'));
    assert.ok(assets.manifest, '<link rel="manifest">');
    assert.ok(assets.appleTouchIcon, '<link rel="apple-touch-icon">');

    const manifest = await get(assets.manifest);
    assert.equal(manifest.status, 200, assets.manifest);
    assert.match(manifest.type, /^application\/(manifest\+)?json/);
    const parsed = JSON.parse(manifest.body.toString('utf8')) as { name?: string; icons?: { src: string }[] };
    assert.ok(parsed.name, 'the manifest names the app');
    for (const icon of parsed.icons ?? []) {
      const image = await get(new URL(icon.src, new URL(assets.manifest, `${server.base}/`)).pathname);
      assert.equal(image.status, 200, icon.src);
      assert.match(image.type, /^image\//, icon.src);
    }

    const icon = await get(assets.appleTouchIcon);
    assert.equal(icon.status, 200, assets.appleTouchIcon);
    assert.match(icon.type, /^image\/png/);
    assert.deepEqual([...icon.body.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  });
});

describe('chromium: the production page', { skip: skipUnless('chromium') }, () => {
  test('renders the album grid with no console errors and no failed requests', async () => {
    const browser = await chromiumBrowser();
    try {
      const context = await browser.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console.${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
      });
      await page.goto(`${server.base}/`, { waitUntil: 'load' });
      await page.locator('button', { hasText: ALBUM.title }).first().waitFor({ state: 'visible', timeout: 15_000 });
      for (const nav of ['Albums', 'Artists', 'Tracks', 'Devices']) {
        await page.getByRole('button', { name: nav, exact: true }).first().waitFor({ state: 'visible' });
      }
      await page.locator('input[type="search"][aria-label="Search"]').waitFor({ state: 'visible' });
      assert.equal(await page.locator('audio').count(), 1, 'one persistent <audio> element');
      // Let late work (socket connect, lazy chunks) report before judging.
      await page.waitForLoadState('networkidle');
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  });
});

describe('webkit: the production page', { skip: skipUnless('webkit') }, () => {
  let browser: E2EBrowser;
  before(async () => {
    browser = await launchBrowser('webkit');
  });
  after(async () => {
    await browser?.close();
  });

  test('renders the album grid', async () => {
    const page = await browser.newPage();
    try {
      await openApp(page, server.base);
      await page.waitFor(`the "${ALBUM.title}" album card`, `(title) => [...document.querySelectorAll('button')].some((el) => (el.textContent || '').includes(title) && el.getBoundingClientRect().height > 0)`, [ALBUM.title]);
      assert.equal(await page.run<number>(`() => document.querySelectorAll('audio').length`), 1, 'one persistent <audio> element');
    } finally {
      await page.close();
    }
  });
});
