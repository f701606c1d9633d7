import { CLOSE_SESSION_REVOKED, apiPaths } from '@musicsharer/shared';
import { act, fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSocket, makeTrack, unauthorized, type FakeRoute } from './fixtures.js';
import { renderApp } from './render.js';

let done: (() => void) | undefined;
afterEach(() => done?.());

async function setup(routes: Record<string, FakeRoute> = {}) {
  const app = await renderApp({ routes });
  done = app.cleanup;
  return app;
}

const pairingScreen = () => screen.queryByRole('heading', { name: 'Pair this device with musicsharer' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The routes of a server that answers 401 to everything but the public ones. */
function signedOutRoutes(routes: Record<string, FakeRoute>) {
  const out: Record<string, FakeRoute> = {};
  for (const path of Object.keys(routes)) out[path] = unauthorized();
  return out;
}

describe('access-control gate', () => {
  it('without a session: the pairing screen, no library request, no socket', async () => {
    const app = await renderApp({ start: false });
    done = app.cleanup;
    Object.assign(app.routes, signedOutRoutes(app.routes));
    await act(() => app.state.start());
    expect(pairingScreen()).toBeTruthy();
    expect(app.fetch.calls).toEqual([apiPaths.session]);
    expect(FakeSocket.instances).toHaveLength(0);
    expect(screen.queryByRole('button', { name: 'Albums' })).toBeNull();
    expect(screen.queryByText(/Album 1/)).toBeNull();
    // Still nothing later (no timer starts the library behind the screen).
    await sleep(50);
    expect(app.fetch.calls).toEqual([apiPaths.session]);
  });

  it('with a session: the app asks the session first, then loads the library and connects', async () => {
    const app = await setup();
    expect(app.fetch.calls[0]).toBe(apiPaths.session);
    expect(await screen.findByRole('button', { name: /Album 1\b/ })).toBeTruthy();
    expect(app.fetch.calls).toContain(apiPaths.albums);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(pairingScreen()).toBeNull();
  });

  it('with access control off: the app, and Devices shows no signed-in devices', async () => {
    await setup({ [apiPaths.session]: { auth: false, passwordSet: false, session: null } });
    expect(await screen.findByRole('button', { name: /Album 1\b/ })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Devices' }));
    await sleep(20);
    expect(screen.queryByRole('heading', { name: 'Signed-in devices' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Add a device' })).toBeNull();
  });

  it('a 401 from the library later: pairing screen, socket closed, no reconnect', async () => {
    const app = await setup();
    await screen.findByRole('button', { name: /Album 1\b/ });
    const socket = FakeSocket.last;
    socket.open();
    act(() => app.state.player.playList([makeTrack(1)], 0));
    expect(app.audio.paused).toBe(false);
    app.routes[apiPaths.album('a2')] = unauthorized();
    fireEvent.click(screen.getByRole('button', { name: /Album 2\b/ }));
    await waitFor(() => expect(pairingScreen()).toBeTruthy());
    expect(socket.closed).toBe(true);
    expect(app.audio.paused).toBe(true);
    await sleep(700);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('a socket closed with 4401 (revoked): pairing screen at once, no reconnect', async () => {
    const app = await setup();
    const socket = FakeSocket.last;
    socket.open();
    act(() => socket.drop(CLOSE_SESSION_REVOKED));
    expect(pairingScreen()).toBeTruthy();
    const callsAfter = app.fetch.calls.length;
    await sleep(700);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(app.fetch.calls).toHaveLength(callsAfter);
  });

  it('a socket refused at the upgrade: the app asks for the session, and stops on a 401', async () => {
    const app = await setup();
    await screen.findByRole('button', { name: /Album 1\b/ });
    // Revoked while the socket was down: the upgrade is refused, the browser says only "closed".
    Object.assign(app.routes, signedOutRoutes(app.routes));
    FakeSocket.last.drop();
    await waitFor(() => expect(pairingScreen()).toBeTruthy());
    expect(app.fetch.calls.at(-1)).toBe(apiPaths.session);
    const sockets = FakeSocket.instances.length;
    await sleep(1200);
    expect(FakeSocket.instances).toHaveLength(sockets);
  });

  it('a socket that fails for another reason (server restarting) keeps the app and reconnects', async () => {
    const app = await setup();
    await screen.findByRole('button', { name: /Album 1\b/ });
    FakeSocket.last.drop();
    await waitFor(() => expect(app.fetch.calls.at(-1)).toBe(apiPaths.session));
    await waitFor(() => expect(FakeSocket.instances).toHaveLength(2), { timeout: 2000 });
    expect(pairingScreen()).toBeNull();
    expect(screen.getByRole('button', { name: /Album 1\b/ })).toBeTruthy();
  });

  it('the server out of reach at start: says so, and "Try again" starts the app', async () => {
    const app = await renderApp({ start: false });
    done = app.cleanup;
    const session = app.routes[apiPaths.session];
    app.routes[apiPaths.session] = () => {
      throw new TypeError('Failed to fetch');
    };
    await act(() => app.state.start());
    expect(screen.getByRole('alert').textContent).toMatch(/Could not reach musicsharer/);
    expect(FakeSocket.instances).toHaveLength(0);
    app.routes[apiPaths.session] = session;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('button', { name: /Album 1\b/ })).toBeTruthy();
    expect(FakeSocket.instances).toHaveLength(1);
  });
});
