/**
 * One small page API over both real browsers, so each scenario is written once:
 *  - Chromium (Debian's, through playwright-core), an iPhone-sized touch context per page;
 *  - WebKitGTK (MiniBrowser through WebKitWebDriver under xvfb-run), a WebDriver session per page.
 *
 * Page-side code is passed as the source text of a function expression, not as a function:
 * tsx (esbuild keepNames) may rewrite a function's `toString()` with helpers the page lacks.
 * Scripts receive JSON arguments and return JSON (or, for `tap`, an element).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach } from 'node:test';
import { chromium, type Browser, type BrowserContext, type CDPSession, type ElementHandle, type Page } from 'playwright-core';
import { CHROMIUM_PATH, type BrowserName } from './env.js';
import { WebDriverError, isElementRef, startWebKitWebDriver, type WebDriverServer, type WebDriverSession } from './webdriver.js';

/** Debian Chromium in a sandbox-less container, no network (STYLE.md). playwright-core adds
 *  `--headless` and a fresh temporary `--user-data-dir` itself. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** iPhone 12-16 sized: 390x844 CSS pixels at 3x, touch. */
export const IPHONE_CONTEXT = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
} as const;

/** What to click: the first visible element matching `css`, optionally filtered by text. */
export interface Target {
  css: string;
  /** Its text content includes this. */
  text?: string;
  /** Its aria-label, or its whole trimmed text, is exactly this. */
  name?: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

export interface E2EPage {
  readonly browser: BrowserName;
  /** Opens `url`; `localStorage` entries are set for its origin before the page's own scripts run. */
  goto(url: string, options?: { localStorage?: Record<string, string> }): Promise<void>;
  /** Runs `fn`, the source of a function expression, with `args` in the page; returns its JSON result. */
  run<T>(fn: string, ...args: unknown[]): Promise<T>;
  /** Polls `fn` until it returns something truthy and returns that; on timeout fails saying `what`, the last value and the page. */
  waitFor<T>(what: string, fn: string, args?: unknown[], options?: WaitOptions): Promise<T>;
  /** Waits for the target, then taps (Chromium) or clicks (WebDriver Element Click) it like a user. */
  tap(target: Target, options?: WaitOptions): Promise<void>;
  /** Taps the target and types `text` into it, key by key. */
  type(target: Target, text: string): Promise<void>;
  /** A short description of the page state for failure messages. */
  describe(): Promise<string>;
  /** Uncaught errors and console errors seen so far (Chromium only; WebDriver has no log API). */
  readonly errors: string[];
  close(): Promise<void>;
}

export interface E2EBrowser {
  readonly name: BrowserName;
  newPage(): Promise<E2EPage>;
  close(): Promise<void>;
}

/** Page-side: the first rendered element matching the target, or null. */
export const FIND_TARGET = `(css, text, name) => {
  for (const el of document.querySelectorAll(css)) {
    const content = el.textContent || '';
    if (text !== null && !content.includes(text)) continue;
    if (name !== null && el.getAttribute('aria-label') !== name && content.trim() !== name) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    return el;
  }
  return null;
}`;

const DESCRIBE_PAGE = `() => {
  const audio = document.querySelector('audio');
  const text = (document.body ? document.body.innerText : '').replace(/\\s+/g, ' ').trim();
  return JSON.stringify({
    url: location.href,
    audio: audio && { src: audio.src, currentTime: audio.currentTime, paused: audio.paused, readyState: audio.readyState, networkState: audio.networkState, error: audio.error && audio.error.code },
    text: text.length > 600 ? text.slice(0, 600) + '…' : text,
  });
}`;

const targetLabel = (t: Target) => `${t.css}${t.name !== undefined ? ` named "${t.name}"` : ''}${t.text !== undefined ? ` with text "${t.text}"` : ''}`;
const targetArgs = (t: Target) => [t.css, t.text ?? null, t.name ?? null];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DEFAULT_TIMEOUT = 15_000;

/** Shared polling loop: both browsers answer a script in a few milliseconds. */
async function poll<T>(page: E2EPage, what: string, probe: () => Promise<T>, options: WaitOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await probe();
      if (last) return last as T;
    } catch (error) {
      last = error instanceof Error ? `error: ${error.message}` : error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${page.browser}: timed out after ${timeoutMs} ms waiting for ${what}\n  last value: ${JSON.stringify(last)}\n  page: ${await page.describe().catch(() => '?')}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}

const call = (fn: string, args: unknown[]) => `(${fn})(...${JSON.stringify(args)})`;

// ---------------------------------------------------------------------------------------------
// Chromium

class ChromiumPage implements E2EPage {
  readonly browser = 'chromium' as const;
  readonly errors: string[] = [];

  constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly cdp: CDPSession,
  ) {
    page.on('pageerror', (error) => this.errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(`console.error: ${message.text()}`);
    });
  }

  async goto(url: string, options: { localStorage?: Record<string, string> } = {}) {
    if (options.localStorage) {
      await this.context.addInitScript(
        `(() => { try { const entries = ${JSON.stringify(options.localStorage)}; for (const key in entries) localStorage.setItem(key, entries[key]); } catch { /* about:blank */ } })()`,
      );
    }
    await this.page.goto(url, { waitUntil: 'load' });
  }

  /**
   * Through CDP `Runtime.evaluate` with `userGesture: false`: playwright's own `evaluate` runs
   * as a user gesture, which would let the page start audio without a tap (WebDriver's Execute
   * Script does not), hiding exactly the bug iOS punishes.
   */
  async run<T>(fn: string, ...args: unknown[]): Promise<T> {
    const { result, exceptionDetails } = await this.cdp.send('Runtime.evaluate', {
      expression: call(fn, args),
      returnByValue: true,
      awaitPromise: true,
      userGesture: false,
    });
    if (exceptionDetails) throw new Error(`chromium: script failed: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value as T;
  }

  waitFor<T>(what: string, fn: string, args: unknown[] = [], options?: WaitOptions): Promise<T> {
    return poll(this, what, () => this.run<T>(fn, ...args), options);
  }

  private async element(target: Target, options?: WaitOptions): Promise<ElementHandle> {
    const timeout = options?.timeoutMs ?? DEFAULT_TIMEOUT;
    try {
      const handle = await this.page.waitForFunction(call(FIND_TARGET, targetArgs(target)), undefined, { timeout, polling: 50 });
      return handle.asElement() as ElementHandle;
    } catch (error) {
      throw new Error(`chromium: no ${targetLabel(target)} within ${timeout} ms (${(error as Error).message.split('\n')[0]})\n  page: ${await this.describe()}`);
    }
  }

  async tap(target: Target, options?: WaitOptions) {
    const timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const element = await this.element(target, { timeoutMs: Math.max(1, deadline - Date.now()) });
      try {
        // Waits until the element is visible, stable, enabled and the one hit at its centre.
        await element.tap({ timeout: Math.max(1, deadline - Date.now()) });
        return;
      } catch (error) {
        // Re-rendered between finding and tapping: find it again.
        if (!/not attached|detached/i.test((error as Error).message) || Date.now() > deadline) {
          throw new Error(`chromium: could not tap ${targetLabel(target)}: ${(error as Error).message.split('\n')[0]}\n  page: ${await this.describe()}`);
        }
      } finally {
        await element.dispose().catch(() => undefined);
      }
    }
  }

  async type(target: Target, text: string) {
    await this.tap(target);
    await this.page.keyboard.type(text, { delay: 20 });
  }

  describe() {
    return this.run<string>(DESCRIBE_PAGE);
  }

  async close() {
    await this.context.close();
  }
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export async function chromiumBrowser(): Promise<E2EBrowser & { browser: Browser }> {
  const browser = await launchChromium();
  return {
    name: 'chromium',
    browser,
    async newPage() {
      const context = await browser.newContext(IPHONE_CONTEXT);
      const page = await context.newPage();
      return new ChromiumPage(context, page, await context.newCDPSession(page));
    },
    close: () => browser.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// WebKitGTK

/** WebDriver errors worth retrying a click on: the element moved, re-rendered or is covered for a moment. */
const RETRY_CLICK = new Set(['element click intercepted', 'stale element reference', 'element not interactable', 'no such element']);

class WebKitPage implements E2EPage {
  readonly browser = 'webkit' as const;
  readonly errors: string[] = [];

  constructor(
    readonly session: WebDriverSession,
    private readonly onClose: () => Promise<void>,
  ) {}

  async goto(url: string, options: { localStorage?: Record<string, string> } = {}) {
    if (options.localStorage) {
      // WebDriver cannot run a script before a page's own: store the entries from another
      // document of the same origin first (a small JSON endpoint), then open the page.
      await this.session.navigate(new URL('/api/scan', url).href);
      await this.session.execute('const entries = arguments[0]; for (const key in entries) localStorage.setItem(key, entries[key]);', [options.localStorage]);
    }
    await this.session.navigate(url);
  }

  run<T>(fn: string, ...args: unknown[]): Promise<T> {
    return this.session.execute<T>(`return (${fn}).apply(null, arguments);`, args);
  }

  waitFor<T>(what: string, fn: string, args: unknown[] = [], options?: WaitOptions): Promise<T> {
    return poll(this, what, () => this.run<T>(fn, ...args), options);
  }

  async tap(target: Target, options: WaitOptions = {}) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT;
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown = null;
    for (;;) {
      const element = await this.run<unknown>(FIND_TARGET, ...targetArgs(target));
      if (isElementRef(element)) {
        try {
          await this.session.click(element);
          return;
        } catch (error) {
          if (!(error instanceof WebDriverError && RETRY_CLICK.has(error.code))) throw error;
          lastError = error;
          // WebKitGTK's driver scrolls the page, not a scrolling element inside it (the app's
          // screens are): below that element's fold a button stays "not interactable". A
          // finger would scroll it up first; so does this.
          if (error.code === 'element not interactable') await this.run(`(element) => element.scrollIntoView({ block: 'center' })`, element).catch(() => {});
        }
      }
      if (Date.now() > deadline) {
        const reason = lastError instanceof Error ? lastError.message : 'not found';
        throw new Error(`webkit: could not click ${targetLabel(target)} within ${timeoutMs} ms (${reason})\n  page: ${await this.describe()}`);
      }
      await sleep(50);
    }
  }

  async type(target: Target, text: string) {
    await this.tap(target);
    const element = await this.run<unknown>(FIND_TARGET, ...targetArgs(target));
    if (!isElementRef(element)) throw new Error(`webkit: ${targetLabel(target)} went away before typing`);
    await this.session.sendKeys(element, text);
  }

  describe() {
    return this.run<string>(DESCRIBE_PAGE);
  }

  close() {
    return this.onClose();
  }
}

/**
 * WebKitWebDriver serves one session at a time: a second page open at once (two "devices")
 * gets a driver of its own, stopped when that page closes.
 */
export async function webkitBrowser(): Promise<E2EBrowser & { driver: WebDriverServer }> {
  const driver = await startWebKitWebDriver();
  let sharedInUse = false;
  const extra = new Set<WebDriverServer>();
  return {
    name: 'webkit',
    driver,
    async newPage() {
      const own = sharedInUse ? await startWebKitWebDriver() : null;
      if (own) extra.add(own);
      else sharedInUse = true;
      const release = async () => {
        if (own) {
          extra.delete(own);
          await own.close();
        } else {
          sharedInUse = false;
        }
      };
      try {
        const session = await (own ?? driver).newSession();
        await session.setTimeouts({ script: 30_000, pageLoad: 30_000 });
        // The same iPhone-sized window as the Chromium context (WebKitGTK has no device emulation).
        await session.setWindowSize(IPHONE_CONTEXT.viewport.width, IPHONE_CONTEXT.viewport.height);
        return new WebKitPage(session, async () => {
          await session.delete();
          await release();
        });
      } catch (error) {
        await release();
        throw error;
      }
    },
    async close() {
      await Promise.all([...extra].map((d) => d.close()));
      await driver.close();
    },
  };
}

export function launchBrowser(name: BrowserName): Promise<E2EBrowser> {
  return name === 'chromium' ? chromiumBrowser() : webkitBrowser();
}

/** Launches each installed browser into `into` (a suite's `before`). */
export async function launchAll(names: readonly BrowserName[], into: Map<BrowserName, E2EBrowser>): Promise<void> {
  for (const name of names) into.set(name, await launchBrowser(name));
}

/** The end of a suite (its `after`): the browsers, then the server, then the fixture folder; any may be missing after a failed `before`. */
export async function closeAll(browsers: Map<BrowserName, E2EBrowser>, ...rest: ({ close(): Promise<unknown> } | { cleanup(): Promise<unknown> } | undefined)[]): Promise<void> {
  for (const browser of browsers.values()) await browser.close();
  for (const item of rest) {
    if (item && 'close' in item) await item.close();
    else if (item) await item.cleanup();
  }
}

/**
 * Inside a browser's `describe`: one browser for the suite, a fresh page for each test, closed
 * after it, and the test fails when the page logged an error or threw. Returns the page's getter.
 */
export function pagePerTest(name: BrowserName): () => E2EPage {
  let browser: E2EBrowser | undefined;
  let page: E2EPage | undefined;
  before(async () => {
    browser = await launchBrowser(name);
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    page = await browser!.newPage();
  });
  afterEach(async () => {
    const errors = page?.errors ?? [];
    await page?.close();
    assert.deepEqual(errors, [], 'no uncaught errors or console errors in the page');
  });
  return () => page!;
}
