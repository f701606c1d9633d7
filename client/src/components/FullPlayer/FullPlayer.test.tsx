import { act, fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTrack } from '../../../test/fixtures.js';
import { renderApp, settle } from '../../../test/render.js';

let done: (() => void) | undefined;
afterEach(() => done?.());

async function openWith(tracks = [makeTrack(1, { duration: 3725 }), makeTrack(2), makeTrack(3)]) {
  const app = await renderApp();
  done = app.cleanup;
  act(() => app.state.player.playList(tracks, 0));
  fireEvent.click(screen.getByRole('button', { name: 'Open player' }));
  // The full player is a chunk of its own.
  await screen.findByRole('dialog');
  await settle();
  return app;
}

describe('FullPlayer', () => {
  it('has the seek slider in seconds, elapsed/total, and the transport buttons', async () => {
    await openWith();
    const seek = screen.getByRole('slider', { name: 'Seek' }) as HTMLInputElement;
    expect(seek.type).toBe('range');
    expect(seek.min).toBe('0');
    expect(seek.max).toBe('3725');
    expect(seek.step).toBe('1');
    expect(screen.getByTestId('elapsed').textContent).toBe('0:00');
    expect(screen.getByTestId('total').textContent).toBe('1:02:05');
    for (const name of ['Previous track', 'Next track', 'Shuffle', 'Repeat', 'Queue', 'Close player', 'Pause']) {
      expect(screen.getByRole('button', { name })).toBeTruthy();
    }
    expect(screen.getByTestId('now-title').textContent).toBe('Song 1');
  });

  it('seeks the audio element on input then change', async () => {
    const { audio } = await openWith();
    Object.defineProperty(audio, 'readyState', { value: 1, configurable: true });
    const seek = screen.getByRole('slider', { name: 'Seek' }) as HTMLInputElement;
    seek.value = '1800';
    fireEvent.input(seek);
    expect(screen.getByTestId('elapsed').textContent).toBe('30:00');
    expect(audio.currentTime).toBe(0); // dragging alone does not seek
    fireEvent.change(seek);
    expect(audio.currentTime).toBe(1800);
    expect(screen.getByTestId('elapsed').textContent).toBe('30:00');
  });

  it('falls back to the server duration and follows the element once it knows better', async () => {
    const { audio } = await openWith([makeTrack(1, { duration: 200 })]);
    expect(screen.getByTestId('total').textContent).toBe('3:20');
    Object.defineProperty(audio, 'duration', { value: 201.4, configurable: true });
    act(() => void audio.dispatchEvent(new Event('durationchange')));
    await waitFor(() => expect(screen.getByTestId('total').textContent).toBe('3:21'));
  });

  it('previous/next move through the queue; shuffle and repeat show their state', async () => {
    const { audio } = await openWith();
    fireEvent.click(screen.getByRole('button', { name: 'Next track' }));
    expect(audio.getAttribute('src')).toBe('/stream/t2');
    fireEvent.click(screen.getByRole('button', { name: 'Previous track' }));
    expect(audio.getAttribute('src')).toBe('/stream/t1');

    const shuffle = screen.getByRole('button', { name: 'Shuffle' });
    fireEvent.click(shuffle);
    expect(shuffle.getAttribute('aria-pressed')).toBe('true');
    const repeat = screen.getByRole('button', { name: 'Repeat' });
    fireEvent.click(repeat);
    expect(repeat.getAttribute('aria-pressed')).toBe('true');
    expect(repeat.dataset.mode).toBe('all');
    fireEvent.click(repeat);
    expect(repeat.dataset.mode).toBe('one');
    fireEvent.click(repeat);
    expect(repeat.getAttribute('aria-pressed')).toBe('false');
  });

  it('shows the queue, and a queue row jumps there', async () => {
    const { audio } = await openWith();
    fireEvent.click(screen.getByRole('button', { name: 'Queue' }));
    const rows = document.querySelectorAll<HTMLButtonElement>('button[data-queue-index]');
    expect([...rows].map((r) => r.textContent)).toEqual(['Song 1The Testers', 'Song 2The Testers', 'Song 3The Testers']);
    expect(rows[0]!.getAttribute('aria-current')).toBe('true');
    fireEvent.click(rows[2]!);
    expect(audio.getAttribute('src')).toBe('/stream/t3');
  });

  it('play/pause toggles the element and its label', async () => {
    const { audio } = await openWith();
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    expect(audio.paused).toBe(true);
    expect(await screen.findByRole('button', { name: 'Play' })).toBeTruthy();
  });
});
