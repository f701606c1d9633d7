import { act, fireEvent, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSocket, makeDevice } from '../../../test/fixtures.js';
import { renderApp } from '../../../test/render.js';

let done: (() => void) | undefined;
afterEach(() => done?.());

async function setup() {
  const app = await renderApp();
  done = app.cleanup;
  const socket = FakeSocket.last;
  socket.open();
  act(() =>
    socket.receive({
      type: 'welcome',
      deviceId: 'me',
      devices: [
        makeDevice({ deviceId: 'me', name: 'Test Phone' }),
        makeDevice({ deviceId: 'mac', name: 'Kitchen Mac', trackId: 't5', title: 'Song 5', positionSec: 42, paused: true }),
        makeDevice({ deviceId: 'idle', name: 'Old iPad', trackId: null, title: null, artist: null }),
      ],
    }),
  );
  fireEvent.click(screen.getByRole('button', { name: 'Devices' }));
  await screen.findByRole('heading', { name: 'Devices' });
  return { ...app, socket };
}

describe('Devices', () => {
  it('lists the other devices with what they play, live', async () => {
    const { socket } = await setup();
    expect(screen.getByText('Test Phone')).toBeTruthy();
    const mac = document.querySelector<HTMLButtonElement>('button[data-device-id="mac"]')!;
    expect(mac.textContent).toContain('Kitchen Mac');
    expect(mac.textContent).toContain('Song 5');
    expect(mac.textContent).toContain('0:42');
    expect(document.querySelector('button[data-device-id="me"]')).toBeNull();
    expect(document.querySelector<HTMLButtonElement>('button[data-device-id="idle"]')!.disabled).toBe(true);

    act(() => socket.receive({ type: 'devices', devices: [makeDevice({ deviceId: 'mac', name: 'Kitchen Mac', trackId: 't6', title: 'Song 6' })] }));
    expect(document.querySelector('button[data-device-id="mac"]')!.textContent).toContain('Song 6');
    expect(document.querySelector('button[data-device-id="idle"]')).toBeNull();
  });

  it('listen along: tapping a device plays its track here from its position', async () => {
    const { audio, play, state } = await setup();
    fireEvent.click(document.querySelector('button[data-device-id="mac"]')!);
    expect(audio.getAttribute('src')).toBe('/stream/t5');
    expect(play).toHaveBeenCalledTimes(1);
    expect(audio.currentTime).toBe(42);
    expect(state.player.current.value?.title).toBe('Song 5');
    // Full details arrive from the server.
    await screen.findByText('Song 5', { selector: '[data-testid="now-title"]' });
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(state.player.current.value?.album).toBe('Album 1');
  });

  it('adds the time since the report for a device that is playing', async () => {
    const { audio } = await setup();
    act(() =>
      FakeSocket.last.receive({
        type: 'devices',
        devices: [makeDevice({ deviceId: 'mac', trackId: 't5', positionSec: 10, paused: false, updatedAt: Date.now() - 5_000 })],
      }),
    );
    fireEvent.click(document.querySelector('button[data-device-id="mac"]')!);
    expect(audio.currentTime).toBeGreaterThanOrEqual(15);
    expect(audio.currentTime).toBeLessThan(17);
  });
});
