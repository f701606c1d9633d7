/** An app with access control on, over a fixture library, and a browser-like way to pair with it. */
import assert from 'node:assert/strict';
import type { BuildOptions, AppConfig } from '../../src/app.js';
import { START_LINK_TTL_MS } from '../../src/auth/pair-links.js';
import { listenOnLoopback, type ListeningApp } from '../fixtures/app.js';

export interface AuthApp extends ListeningApp {
  /** Opens a fresh pairing link as a browser would; the `name=value` of the cookie it got. */
  pair(headers?: Record<string, string>): Promise<string>;
  /** A fresh pairing link's absolute URL. */
  pairLink(): Promise<string>;
}

export async function listenWithAuth(mediaDir: string, options: BuildOptions = {}, config: Partial<AppConfig> = {}): Promise<AuthApp> {
  const listening = await listenOnLoopback(mediaDir, options, { auth: true, ...config });
  const { app, base } = listening;
  async function pairLink(): Promise<string> {
    const { token } = await app.auth.stores!.pairLinks.create(START_LINK_TTL_MS);
    return `${base}/pair/${token}`;
  }
  return {
    ...listening,
    pairLink,
    async pair(headers = {}) {
      const response = await fetch(await pairLink(), { redirect: 'manual', headers });
      assert.equal(response.status, 303);
      return cookieOf(response);
    },
  };
}

/** The `name=value` part of a response's Set-Cookie (fails when there is none). */
export function cookieOf(response: Response): string {
  const field = response.headers.get('set-cookie');
  assert.ok(field, `no Set-Cookie (status ${response.status})`);
  return field.split(';')[0]!;
}

/** The message the session check answers with (tells its 401 from a route's own). */
export const NOT_PAIRED = /not paired/;
