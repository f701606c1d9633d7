import { render } from '@testing-library/preact';
import { vi } from 'vitest';
import { App } from '../src/app.js';
import { createAppState } from '../src/state/app-state.js';
import { FakeSocket, fakeFetch, libraryRoutes } from './fixtures.js';

/** The whole app over a generated library, a fake server and a fake socket. */
export function renderApp({ count = 30, start = true } = {}) {
  FakeSocket.instances = [];
  const lib = libraryRoutes(count);
  const fetch = fakeFetch(lib.routes);
  const audio = document.body.appendChild(document.createElement('audio'));
  const play = vi.spyOn(audio, 'play');
  const state = createAppState({
    audio,
    fetch,
    WebSocket: FakeSocket,
    mediaSession: null,
    socketUrl: 'ws://test.local/ws',
    deviceName: 'Test Phone',
  });
  const view = render(<App state={state} />);
  if (start) state.start();
  const cleanup = () => {
    state.stop();
    audio.remove();
  };
  return { ...view, ...lib, state, audio, play, fetch, cleanup };
}
