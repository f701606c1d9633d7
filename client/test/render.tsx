import { act, render } from '@testing-library/preact';
import { vi } from 'vitest';
import { App } from '../src/app.js';
import { createAppState } from '../src/state/app-state.js';
import { FakeSocket, authRoutes, fakeFetch, libraryRoutes, type FakeRoute } from './fixtures.js';

export interface RenderOptions {
  count?: number;
  start?: boolean;
  /** Routes over the defaults (a paired browser: `authRoutes()`, and the library). */
  routes?: Record<string, FakeRoute>;
  /** The page's address when the app starts (the screen it shows); default `/`. */
  url?: string;
  /** A reload: the current history entry (its state: the scroll position) stays. */
  reloaded?: boolean;
}

/**
 * The whole app over a generated library, a fake server and a fake socket. Resolves once the
 * start has asked for the session and the app (or the pairing screen) is up.
 */
export async function renderApp({ count = 30, start = true, routes = {}, url = '/', reloaded = false }: RenderOptions = {}) {
  FakeSocket.instances = [];
  // One window for the whole file: each test starts from its own address and a fresh entry.
  if (!reloaded) history.replaceState(null, '', url);
  const lib = libraryRoutes(count);
  // One table: tests change `routes[path]` and the next request sees it.
  Object.assign(lib.routes, authRoutes(), routes);
  const fetch = fakeFetch(lib.routes);
  const audio = document.body.appendChild(document.createElement('audio'));
  const play = vi.spyOn(audio, 'play');
  const reload = vi.fn();
  const state = createAppState({
    audio,
    fetch,
    WebSocket: FakeSocket,
    mediaSession: null,
    socketUrl: 'ws://test.local/ws',
    deviceName: 'Test Phone',
    reload,
  });
  // The track source comes in a chunk of its own: in before any test taps (and before teardown).
  await vi.waitUntil(() => state.playback.value !== null);
  const view = render(<App state={state} />);
  if (start) await act(() => state.start());
  const cleanup = () => {
    state.stop();
    audio.remove();
  };
  return { ...view, ...lib, state, audio, play, fetch, reload, cleanup };
}

/**
 * Lets a screen or panel that came in a chunk of its own finish mounting: it rendered when its
 * import resolved, outside any act(), so its effects run at the next frame. Wait for that.
 */
export function settle(ms = 50): Promise<void> {
  return act(() => new Promise<void>((resolve) => setTimeout(resolve, ms)));
}
