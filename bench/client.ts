/**
 * Client performance budgets (issue 4), measured on the production build in client/dist:
 *
 *  1. Initial JavaScript + CSS (entry script, module preloads, stylesheets, inline code in
 *     index.html), gzipped at level 9: at most 30 KB (30,000 bytes). The public share page's
 *     script and CSS (its entry in Vite's manifest, issue 13): at most 15 KB.
 *  2. First screen within 1 s of navigation, with a generated 20,000-track library, in Chromium
 *     (iPhone-sized viewport) with 4x CPU slowdown (CDP `Emulation.setCPUThrottlingRate`):
 *       - Albums: navigation start -> the first album card painted; first visit (empty cache),
 *         and a repeat visit (the same context loads the page again: assets from the cache);
 *       - Tracks: navigation start -> the first row of the 20,000-row list painted, the Tracks
 *         tab pressed as soon as it exists; first and repeat visit;
 *       - Tracks tab tapped as soon as the album cards show -> the first row painted (reference).
 *
 *   npx tsx --conditions=source bench/client.ts [--runs N] [--fresh]   (or: npm run bench -- client)
 *
 * The generated library (20,000 files, ~100 MB on disk) and the server's index are kept in
 * $TMPDIR/musicsharer-bench-20k and reused by the next run (the server then reads no tags);
 * --fresh regenerates both.
 *
 * "Painted": an in-page probe notices the element when it is inserted (MutationObserver); the
 * next animation frame paints it, and a message posted from that frame's rAF callback runs right
 * after that rendering update: its `performance.now()` (ms since navigation start) is the figure.
 * Each run is a fresh browser context (empty cache, new connection), throttled before navigating.
 * Exits 1 when a budget is exceeded (medians).
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { measureShare } from '../client/scripts/budget.js';
import { createBigLibrary } from '../e2e/support/big-library.js';
import { IPHONE_CONTEXT, launchChromium } from '../e2e/support/browsers.js';
import { initialAssets } from '../e2e/support/html.js';
import { CLIENT_DIST, startServer } from '../e2e/support/server.js';

const SIZE_BUDGET_BYTES = 30_000;
const FIRST_SCREEN_BUDGET_MS = 1000;
const CPU_SLOWDOWN = 4;

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '5' }, fresh: { type: 'boolean', default: false } } });
const RUNS = Math.max(1, Number(flags.runs));

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
const pad = (text: string, width: number) => text.padEnd(width);
const lpad = (text: string, width: number) => text.padStart(width);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

// ---------------------------------------------------------------------------------------------
// 1. Size

function sizeBudget(): boolean {
  const indexPath = join(CLIENT_DIST, 'index.html');
  if (!existsSync(indexPath)) throw new Error(`no client build in ${CLIENT_DIST}: run \`npm run build\` first`);
  const html = readFileSync(indexPath, 'utf8');
  const assets = initialAssets(html);
  const rows = [...new Set([...assets.scripts, ...assets.modulePreloads, ...assets.stylesheets])]
    .filter((url) => !/^(https?:)?\/\//.test(url))
    .map((url) => {
      const bytes = readFileSync(join(CLIENT_DIST, url.replace(/^\//, '')));
      return { name: url, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
  const inline = [...html.matchAll(/<(script|style)\b[^>]*>([\s\S]*?)<\/\1>/gi)].map((m) => m[2]!).filter((s) => s.trim());
  if (inline.length > 0) {
    const bytes = Buffer.from(inline.join('\n'));
    rows.push({ name: '(inline <script>/<style> in index.html)', raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  const total = rows.reduce((sum, r) => sum + r.gzip, 0);
  const ok = total <= SIZE_BUDGET_BYTES;
  console.log('Initial JavaScript + CSS (client/dist/index.html), gzip -9');
  const width = Math.max(...rows.map((r) => r.name.length), 5) + 2;
  console.log(`  ${pad('file', width)}${lpad('raw', 10)}${lpad('gzip', 10)}`);
  for (const r of rows) console.log(`  ${pad(r.name, width)}${lpad(kb(r.raw), 10)}${lpad(kb(r.gzip), 10)}`);
  console.log(`  ${pad('total', width)}${lpad(kb(rows.reduce((s, r) => s + r.raw, 0)), 10)}${lpad(kb(total), 10)}`);
  console.log(`  budget ${kb(SIZE_BUDGET_BYTES)}: ${ok ? 'OK' : 'OVER BUDGET'} (${total} bytes, ${((100 * total) / SIZE_BUDGET_BYTES).toFixed(0)}% of budget)\n`);

  const share = measureShare(pathToFileURL(join(CLIENT_DIST, '/')));
  console.log('Share page JavaScript + CSS (/s/:id: the src/share/main.ts entry of client/dist/.vite/manifest.json), gzip -9');
  for (const f of share.files) console.log(`  ${pad(f.file, width)}${lpad(kb(f.bytes), 10)}${lpad(kb(f.gzip), 10)}`);
  console.log(`  budget ${kb(share.budget)}: ${share.ok ? 'OK' : 'OVER BUDGET'} (${share.gzip} bytes, ${((100 * share.gzip) / share.budget).toFixed(0)}% of budget)\n`);
  return ok && share.ok;
}

// ---------------------------------------------------------------------------------------------
// 2. First screen

type Scenario = 'albums' | 'albums-repeat' | 'tracks-cold' | 'tracks-repeat' | 'tracks-tap';

interface Marks {
  tapAt?: number;
  seenAt?: number;
  paintedAt?: number;
  fcp?: number;
  apiDoneAt?: number;
}

/**
 * Installed before the page's scripts. A MutationObserver (no per-frame polling, so the probe
 * costs next to nothing before the screen exists) notices the element; the next animation frame
 * checks it is laid out on screen, and a message posted from that frame's rAF callback runs
 * right after the frame's rendering update: that `performance.now()` is the figure.
 */
function probeScript(scenario: Scenario, albumMarker: string): string {
  return `(() => {
  const marks = (window.__bench = {});
  const scenario = ${JSON.stringify(scenario)};
  const marker = ${JSON.stringify(albumMarker)};
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight; };
  const navTracks = () => [...document.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === 'Tracks' || (b.textContent || '').trim() === 'Tracks');
  const albums = scenario === 'albums' || scenario === 'albums-repeat';
  const candidates = () => albums
    ? [...document.querySelectorAll('button:not([data-track-id])')].filter((b) => (b.textContent || '').includes(marker))
    : [...document.querySelectorAll('button[data-track-id]')];
  // The Tracks tab pressed (by the probe in "tracks-cold", by a real tap in "tracks-tap").
  addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button') : null;
    if (button && button === navTracks() && marks.tapAt === undefined) marks.tapAt = performance.now();
  }, true);
  let armed = scenario !== 'tracks-tap';
  window.__benchArm = () => { armed = true; check(); };
  let pending = false;
  const check = () => {
    if (marks.seenAt !== undefined || pending) return;
    if ((scenario === 'tracks-cold' || scenario === 'tracks-repeat') && marks.tapAt === undefined) { const nav = navTracks(); if (nav) nav.click(); }
    if (!armed || (!albums && marks.tapAt === undefined) || candidates().length === 0) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (marks.seenAt !== undefined || !candidates().some(shown)) return;
      marks.seenAt = performance.now();
      observer.disconnect();
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        marks.paintedAt = performance.now();
        const api = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/'));
        marks.apiDoneAt = api.length ? Math.max(...api.map((e) => e.responseEnd)) : undefined;
      };
      channel.port2.postMessage(0);
    });
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true });
})();`;
}

async function measure(browser: Browser, base: string, scenario: Scenario, albumMarker: string): Promise<Marks & { total: number }> {
  const context = await browser.newContext(IPHONE_CONTEXT);
  try {
    const page = await context.newPage();
    await context.addInitScript(probeScript(scenario, albumMarker));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    const painted = () => page.waitForFunction('window.__bench && window.__bench.paintedAt !== undefined', undefined, { timeout: 60_000, polling: 100 });
    if (scenario === 'albums-repeat' || scenario === 'tracks-repeat') {
      // A first visit fills the HTTP cache (hashed assets are immutable) and warms the renderer.
      await page.goto(`${base}/`, { waitUntil: 'commit' });
      await painted();
    }
    await page.goto(`${base}/`, { waitUntil: 'commit' });
    if (scenario === 'tracks-tap') {
      await page.locator('button', { hasText: albumMarker }).first().waitFor({ state: 'visible', timeout: 60_000 });
      await page.evaluate('window.__benchArm()');
      await page.getByRole('button', { name: 'Tracks', exact: true }).first().tap();
    }
    await painted();
    // Paint timing entries arrive once the frame is presented, a little after the probe's mark.
    const fcp = await page
      .waitForFunction("performance.getEntriesByName('first-contentful-paint')[0]?.startTime", undefined, { timeout: 5000, polling: 50 })
      .then((handle) => handle.jsonValue() as Promise<number>)
      .catch(() => undefined);
    const marks = { ...((await page.evaluate('window.__bench')) as Marks), fcp };
    const total = scenario === 'tracks-tap' ? marks.paintedAt! - marks.tapAt! : marks.paintedAt!;
    return { ...marks, total };
  } finally {
    await context.close();
  }
}

async function firstScreenBudget(): Promise<boolean> {
  console.log(`First screen, 20,000-track library, Chromium ${IPHONE_CONTEXT.viewport.width}x${IPHONE_CONTEXT.viewport.height}, CPU slowdown ${CPU_SLOWDOWN}x`);
  let t0 = performance.now();
  const cacheDir = join(tmpdir(), 'musicsharer-bench-20k');
  if (flags.fresh) await rm(cacheDir, { recursive: true, force: true });
  const library = await createBigLibrary({ cacheDir });
  const what = `${library.trackCount} tracks, ${library.albumCount} albums, ${library.artistCount} artists`;
  console.log(
    library.reused
      ? `  reusing ${what} in ${cacheDir} (--fresh to regenerate)`
      : `  generated ${what} in ${cacheDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  t0 = performance.now();
  const server = await startServer(library.root, { dataDir: join(cacheDir, 'data') });
  let browser: Browser | undefined;
  try {
    const { trackCount } = server.app.library.status;
    console.log(`  server ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (${trackCount} tracks in the library${library.reused ? ', index reused' : ', tags read'})`);
    if (trackCount !== library.trackCount) throw new Error(`the server found ${trackCount} tracks, not ${library.trackCount}`);
    browser = await launchChromium();
    const scenarios: { scenario: Scenario; label: string; budgeted: boolean }[] = [
      { scenario: 'albums', label: 'Albums: navigation -> first album card painted', budgeted: true },
      { scenario: 'albums-repeat', label: 'Albums, repeat visit (assets cached)', budgeted: true },
      { scenario: 'tracks-cold', label: 'Tracks: navigation -> first row painted', budgeted: true },
      { scenario: 'tracks-repeat', label: 'Tracks, repeat visit (assets cached)', budgeted: true },
      { scenario: 'tracks-tap', label: 'Tracks tab tapped once albums show -> first row', budgeted: false },
    ];
    console.log(`  load average before: ${load()}; ${RUNS} runs each after one warm-up run; milliseconds`);
    const width = Math.max(...scenarios.map((s) => s.label.length)) + 2;
    console.log(`  ${pad('', width)}${lpad('median', 8)}${lpad('min', 8)}${lpad('max', 8)}${lpad('FCP', 8)}${lpad('API', 8)}  budget`);
    let ok = true;
    for (const { scenario, label, budgeted } of scenarios) {
      await measure(browser, server.base, scenario, library.albumMarker);
      const runs: (Marks & { total: number })[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(browser, server.base, scenario, library.albumMarker));
      const totals = runs.map((r) => r.total);
      const m = median(totals);
      const within = m <= FIRST_SCREEN_BUDGET_MS;
      if (budgeted && !within) ok = false;
      const fcp = runs.every((r) => r.fcp !== undefined) ? median(runs.map((r) => r.fcp!)).toFixed(0) : '-';
      const api = runs.every((r) => r.apiDoneAt !== undefined) ? median(runs.map((r) => r.apiDoneAt!)).toFixed(0) : '-';
      const verdict = budgeted ? `${FIRST_SCREEN_BUDGET_MS} ms: ${within ? 'OK' : 'OVER BUDGET'}` : '(reference)';
      console.log(
        `  ${pad(label, width)}${lpad(m.toFixed(0), 8)}${lpad(Math.min(...totals).toFixed(0), 8)}${lpad(Math.max(...totals).toFixed(0), 8)}${lpad(fcp, 8)}${lpad(api, 8)}  ${verdict}`,
      );
    }
    console.log('  FCP: first-contentful-paint; API: when the last /api/ response had arrived (both from navigation start, medians)');
    console.log(`  load average after: ${load()}\n`);
    return ok;
  } finally {
    await browser?.close();
    await server.close();
    await library.cleanup();
  }
}

const started = performance.now();
const sizeOk = sizeBudget();
const timeOk = await firstScreenBudget();
console.log(`bench/client.ts: ${sizeOk && timeOk ? 'all budgets met' : 'BUDGET EXCEEDED'} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
process.exit(sizeOk && timeOk ? 0 : 1);
