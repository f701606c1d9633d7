import { act, fireEvent, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTrack } from '../../../test/fixtures.js';
import { renderApp } from '../../../test/render.js';

let done: (() => void) | undefined;
afterEach(() => done?.());

describe('MiniPlayer', () => {
  it('shows nothing playing until a track starts', async () => {
    const app = await renderApp();
    done = app.cleanup;
    expect(screen.getByTestId('now-title').textContent).toBe('Not playing');
    expect((screen.getByRole('button', { name: 'Play' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows the title; its Play/Pause label follows the element; Next advances', async () => {
    const app = await renderApp();
    done = app.cleanup;
    act(() => app.state.player.playList([makeTrack(1), makeTrack(2)], 0));
    expect(screen.getByTestId('now-title').textContent).toBe('Song 1');
    const pause = screen.getByRole('button', { name: 'Pause' });
    fireEvent.click(pause);
    expect(app.audio.paused).toBe(true);
    expect(pause.getAttribute('aria-label')).toBe('Play');
    fireEvent.click(pause);
    expect(app.audio.paused).toBe(false);
    expect(pause.getAttribute('aria-label')).toBe('Pause');
    fireEvent.click(screen.getByRole('button', { name: 'Next track' }));
    expect(screen.getByTestId('now-title').textContent).toBe('Song 2');
    expect(app.audio.getAttribute('src')).toBe('/stream/t2');
  });

  it('"Open player" opens the full player', async () => {
    const app = await renderApp();
    done = app.cleanup;
    fireEvent.click(screen.getByRole('button', { name: 'Open player' }));
    expect(await screen.findByRole('dialog')).toBeTruthy();
  });
});
