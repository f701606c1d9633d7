/**
 * A tiny W3C WebDriver client (https://www.w3.org/TR/webdriver2/) over `fetch`, and a launcher
 * for WebKitGTK's driver: `xvfb-run -a WebKitWebDriver --port=N`, in its own process group so
 * that closing it ends Xvfb, the driver and every MiniBrowser it started.
 *
 * Only what the end-to-end suites use: sessions, navigation, CSS element lookup, element click
 * and send keys, synchronous and asynchronous script execution.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** The W3C web element identifier (§12.1): the key of an element reference in JSON. */
export const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

export interface ElementRef {
  [ELEMENT_KEY]: string;
}

export function isElementRef(value: unknown): value is ElementRef {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[ELEMENT_KEY] === 'string';
}

/** An error the remote end returned (§6.6): `error` is the WebDriver error code. */
export class WebDriverError extends Error {
  override name = 'WebDriverError';
  constructor(
    readonly code: string,
    message: string,
    readonly command: string,
  ) {
    super(`${command}: ${code}: ${message}`);
  }
}

/** WebKitGTK's MiniBrowser in automation mode (see STYLE.md: verified on this machine). */
export const WEBKITGTK_CAPABILITIES = {
  browserName: 'MiniBrowser',
  'webkitgtk:browserOptions': {
    binary: '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
    args: ['--automation'],
  },
} as const;

async function request(base: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, timeoutMs = 60_000): Promise<unknown> {
  const response = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json: { value?: unknown };
  try {
    json = JSON.parse(text) as { value?: unknown };
  } catch {
    throw new WebDriverError('invalid response', `HTTP ${response.status}: ${text.slice(0, 200)}`, `${method} ${path}`);
  }
  const value = json.value as { error?: string; message?: string } | undefined;
  if (!response.ok || (value && typeof value === 'object' && typeof value.error === 'string')) {
    throw new WebDriverError(value?.error ?? `HTTP ${response.status}`, value?.message ?? text.slice(0, 200), `${method} ${path}`);
  }
  return json.value;
}

export class WebDriverSession {
  private constructor(
    private readonly base: string,
    readonly id: string,
  ) {}

  /** New Session (§8.1). */
  static async create(base: string, alwaysMatch: Record<string, unknown>): Promise<WebDriverSession> {
    const value = (await request(base, 'POST', '/session', { capabilities: { alwaysMatch } })) as { sessionId: string };
    return new WebDriverSession(base, value.sessionId);
  }

  private command(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    return request(this.base, method, `/session/${this.id}${path}`, body);
  }

  /** Navigate To (§10.1): returns once the page has loaded. */
  async navigate(url: string): Promise<void> {
    await this.command('POST', '/url', { url });
  }

  async currentUrl(): Promise<string> {
    return (await this.command('GET', '/url')) as string;
  }

  /** Find Elements with the CSS selector strategy (§12.3.3). */
  async findElements(css: string): Promise<ElementRef[]> {
    return (await this.command('POST', '/elements', { using: 'css selector', value: css })) as ElementRef[];
  }

  /** Element Click (§14.1): scrolls into view, checks it is not obscured, and clicks like a user. */
  async click(element: ElementRef): Promise<void> {
    await this.command('POST', `/element/${element[ELEMENT_KEY]}/click`, {});
  }

  /** Element Send Keys (§14.3). */
  async sendKeys(element: ElementRef, text: string): Promise<void> {
    await this.command('POST', `/element/${element[ELEMENT_KEY]}/value`, { text });
  }

  /** Execute Script (§15.2.1): `script` is a function body; `arguments` holds `args`. */
  async execute<T = unknown>(script: string, args: unknown[] = []): Promise<T> {
    return (await this.command('POST', '/execute/sync', { script, args })) as T;
  }

  /** Execute Async Script (§15.2.2): the body calls `arguments[arguments.length - 1](result)`. */
  async executeAsync<T = unknown>(script: string, args: unknown[] = []): Promise<T> {
    return (await this.command('POST', '/execute/async', { script, args })) as T;
  }

  /** Set Window Rect (§11.8.2): the outer size of the browser window, in CSS pixels. */
  async setWindowSize(width: number, height: number): Promise<{ width: number; height: number }> {
    return (await this.command('POST', '/window/rect', { width, height })) as { width: number; height: number };
  }

  /** Set Timeouts (§9.2), in milliseconds. */
  async setTimeouts(timeouts: { script?: number; pageLoad?: number; implicit?: number }): Promise<void> {
    await this.command('POST', '/timeouts', timeouts);
  }

  /** Delete Session (§8.2): closes the browser. */
  async delete(): Promise<void> {
    await request(this.base, 'DELETE', `/session/${this.id}`, undefined, 15_000).catch(() => undefined);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface WebDriverServer {
  /** e.g. `http://127.0.0.1:4444` */
  base: string;
  newSession(capabilities?: Record<string, unknown>): Promise<WebDriverSession>;
  /** Kills the process group: xvfb-run, Xvfb, the driver and its browsers. */
  close(): Promise<void>;
}

/** Starts `xvfb-run -a WebKitWebDriver --port=N` and waits until `GET /status` says ready (§8.3). */
export async function startWebKitWebDriver(options: { readyTimeoutMs?: number } = {}): Promise<WebDriverServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`, '--host=127.0.0.1'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  /** Signals every process of the group (xvfb-run, Xvfb, the driver, its browsers); false when none is left. */
  const signalGroup = (signal: NodeJS.Signals | 0): boolean => {
    if (child.pid === undefined) return false;
    try {
      process.kill(-child.pid, signal);
      return true;
    } catch {
      return false;
    }
  };
  const kill = async () => {
    if (signalGroup('SIGTERM')) {
      const deadline = Date.now() + 3000;
      // Wait for the whole group, not just xvfb-run, to be gone (signal 0 only checks).
      while (signalGroup(0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      signalGroup('SIGKILL');
      await exited;
    }
    process.off('exit', killNow);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };

  // The group is detached from ours, so a Ctrl-C or a killed test process would not reach it:
  // end it when this process exits or is interrupted, then let the signal do its usual work.
  const killNow = () => void signalGroup('SIGKILL');
  const onSignal = (signal: NodeJS.Signals) => {
    killNow();
    process.kill(process.pid, signal);
  };
  process.once('exit', killNow);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited with code ${child.exitCode}: ${stderr}`);
    try {
      const status = (await request(base, 'GET', '/status', undefined, 2000)) as { ready?: boolean };
      if (status.ready) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await kill();
      throw new Error(`WebKitWebDriver not ready on ${base} after ${options.readyTimeoutMs ?? 20_000} ms: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const sessions = new Set<WebDriverSession>();
  return {
    base,
    async newSession(capabilities = WEBKITGTK_CAPABILITIES) {
      const session = await WebDriverSession.create(base, capabilities);
      sessions.add(session);
      return session;
    },
    async close() {
      await Promise.all([...sessions].map((s) => s.delete()));
      await kill();
    },
  };
}
