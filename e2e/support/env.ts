/**
 * Which real browsers this run has. The runner (scripts/test.mjs) passes
 * `MUSICSHARER_BROWSERS=chromium,webkit` with the ones installed; run by hand (no variable),
 * the suites look for themselves. A suite whose browser is missing is skipped, with what to install.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type BrowserName = 'chromium' | 'webkit';
export const BROWSER_NAMES: readonly BrowserName[] = ['chromium', 'webkit'];

export const CHROMIUM_PATH = '/usr/bin/chromium';

const INSTALL: Record<BrowserName, string> = {
  chromium: 'apt-get install chromium',
  webkit: 'apt-get install webkit2gtk-driver xvfb gstreamer1.0-plugins-good gstreamer1.0-libav',
};

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, binary)));
}

function detect(name: BrowserName): boolean {
  return name === 'chromium' ? existsSync(CHROMIUM_PATH) : onPath('WebKitWebDriver') && onPath('xvfb-run');
}

export function browserAvailable(name: BrowserName): boolean {
  const listed = process.env.MUSICSHARER_BROWSERS;
  if (listed === undefined) return detect(name);
  return listed
    .split(',')
    .map((s) => s.trim())
    .includes(name);
}

/** `false` when the browser is there, else the reason to hand to `describe(..., { skip })`. */
export function skipUnless(name: BrowserName): string | false {
  return browserAvailable(name) ? false : `${name} not installed: ${INSTALL[name]}`;
}
