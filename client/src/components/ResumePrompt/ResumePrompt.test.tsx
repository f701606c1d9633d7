import { act, fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTrack } from '../../../test/fixtures.js';
import { renderApp } from '../../../test/render.js';

let done: (() => void) | undefined;
afterEach(() => done?.());

describe('ResumePrompt', () => {
  it('appears when play() is refused and plays on tap', async () => {
    const app = await renderApp();
    done = app.cleanup;
    const realPlay = HTMLMediaElement.prototype.play;
    app.play.mockImplementationOnce(() => Promise.reject(Object.assign(new Error('gesture needed'), { name: 'NotAllowedError' })));
    act(() => app.state.player.playList([makeTrack(1)], 0));
    const resume = await screen.findByRole('button', { name: 'Tap to resume' });
    expect(resume.textContent).toBe('Tap to resume');
    app.play.mockImplementation(function (this: HTMLMediaElement) {
      return realPlay.call(this);
    });
    fireEvent.click(resume);
    expect(app.play).toHaveBeenCalledTimes(2);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Tap to resume' })).toBeNull());
    expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy();
  });
});
