/**
 * Transcoding as the app shows it: a track this device cannot play, on a server that cannot
 * convert it, says so in its row and explains on a tap; Devices has the Data saver switch.
 */
import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { apiPaths, type TranscodingStatus } from '@musicsharer/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { DATA_SAVER_KEY } from '../src/state/playability.js';
import { makeAlbum, makeTrack } from './fixtures.js';
import { renderApp, settle } from './render.js';

let done: (() => void) | undefined;
afterEach(() => {
  done?.();
  localStorage.clear();
});

const NO_FFMPEG: TranscodingStatus = { available: false, reason: 'this server has no ffmpeg: install ffmpeg', bitrates: [], defaultBitrate: 192 };
const AVAILABLE: TranscodingStatus = { available: true, reason: null, bitrates: [96, 128, 192, 256, 320], defaultBitrate: 192 };

/** Album 1 holds an MP3 at 320 kbit/s and a WMA rip. */
async function setup(status: TranscodingStatus) {
  const tracks = [
    makeTrack(1, { title: 'Loud MP3', bitrate: 320_000 }),
    makeTrack(2, { title: 'Old Rip', mimeType: 'audio/x-ms-wma', codec: 'Windows Media Audio V8', bitrate: 64_000, path: 'The Testers/First Album/2.wma' }),
  ];
  const app = await renderApp({ routes: { [apiPaths.transcoding]: status, [apiPaths.album('a1')]: { album: makeAlbum(1, { trackCount: 2 }), tracks } } });
  done = app.cleanup;
  fireEvent.click(await screen.findByRole('button', { name: /Album 1\b/ }));
  const row = (id: string) => document.querySelector<HTMLButtonElement>(`button[data-track-id="${id}"]`)!;
  await waitFor(() => expect(row('t2')).toBeTruthy());
  return { ...app, row };
}

describe('tracks this device cannot play', () => {
  it('without a transcoder: the row says "Cannot play on this device", and a tap explains instead of playing', async () => {
    const { row, audio, play, fetch } = await setup(NO_FFMPEG);
    await waitFor(() => expect(row('t2').textContent).toContain('Cannot play on this device'));
    expect(row('t2').hasAttribute('data-unplayable')).toBe(true);
    expect(row('t1').textContent).not.toContain('Cannot play');
    expect(fetch.calls.filter((c) => c === apiPaths.transcoding)).toHaveLength(1);

    fireEvent.click(row('t2'));
    expect(play).not.toHaveBeenCalled();
    expect(audio.getAttribute('src')).toBe(null);
    expect(screen.getByRole('status').textContent).toBe(`Cannot play “Old Rip” on this device: ${NO_FFMPEG.reason}`);

    // The other track plays; the album goes on past the WMA without playing it.
    fireEvent.click(row('t1'));
    expect(audio.getAttribute('src')).toBe('/stream/t1');
  });

  it('with a transcoder: the row is an ordinary one and a tap plays the MP3 form', async () => {
    const { row, audio, fetch } = await setup(AVAILABLE);
    await waitFor(() => expect(fetch.calls).toContain(apiPaths.transcoding));
    await settle();
    expect(row('t2').textContent).not.toContain('Cannot play');
    expect(row('t2').textContent).toContain('The Testers');
    fireEvent.click(row('t2'));
    expect(audio.getAttribute('src')).toBe('/stream/t2?format=mp3');
  });
});

describe('Data saver', () => {
  it('is a switch in Devices, for mobile data or a tunnel, remembered on the device; on, a 320 kbit/s track streams at 128', async () => {
    const { row, audio } = await setup(AVAILABLE);
    fireEvent.click(row('t1'));
    expect(audio.getAttribute('src')).toBe('/stream/t1');

    fireEvent.click(screen.getByRole('button', { name: 'Devices' }));
    const toggle = await screen.findByRole('switch', { name: /Data saver/ });
    expect(toggle.closest('label')!.textContent).toMatch(/mobile data or a tunnel/);
    expect((toggle as HTMLInputElement).checked).toBe(false);
    fireEvent.click(toggle);
    expect((toggle as HTMLInputElement).checked).toBe(true);
    expect(localStorage.getItem(DATA_SAVER_KEY)).toBe('1');

    fireEvent.click(screen.getByRole('button', { name: 'Albums' }));
    fireEvent.click(await screen.findByRole('button', { name: /Album 1\b/ }));
    await waitFor(() => expect(row('t1')).toBeTruthy());
    fireEvent.click(row('t1'));
    expect(audio.getAttribute('src')).toBe('/stream/t1?format=mp3&bitrate=128');
  });
});
