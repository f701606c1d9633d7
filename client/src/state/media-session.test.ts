import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COVER_SIZES } from '@musicsharer/shared';
import { fakeSession, makeTrack, stubMediaMetadata } from '../../test/fixtures.js';
import { setMediaActions, showPosition, showTrack, type MediaSessionControls } from './media-session.js';

function fakeControls() {
  return { play: vi.fn(), pause: vi.fn(), previous: vi.fn(), next: vi.fn(), seekTo: vi.fn() } satisfies MediaSessionControls;
}

type FakeSession = ReturnType<typeof fakeSession>;
const asSession = (session: FakeSession) => session as unknown as MediaSession;
const connect = (session: FakeSession, controls = fakeControls()) => setMediaActions(asSession(session), controls);

beforeEach(stubMediaMetadata);
afterEach(() => vi.unstubAllGlobals());

describe('Media Session glue', () => {
  it('sets the handlers once: play, pause, previous/next track, seek-to; no ±10 s', () => {
    const session = fakeSession();
    connect(session);
    expect([...session.handlers.keys()].sort()).toEqual(['nexttrack', 'pause', 'play', 'previoustrack', 'seekbackward', 'seekforward', 'seekto']);
    expect(session.setActionHandler).toHaveBeenCalledTimes(7);
    expect(session.handlers.get('seekbackward')).toBeNull();
    expect(session.handlers.get('seekforward')).toBeNull();
  });

  it('its buttons call the controls; seek-to passes the time and whether to seek fast', () => {
    const session = fakeSession();
    const controls = fakeControls();
    connect(session, controls);
    for (const action of ['play', 'pause', 'previoustrack', 'nexttrack'] as const) session.handlers.get(action)!({ action });
    expect([controls.play, controls.pause, controls.previous, controls.next].map((f) => f.mock.calls.length)).toEqual([1, 1, 1, 1]);
    const seekTo = session.handlers.get('seekto')!;
    seekTo({ action: 'seekto', seekTime: 30 });
    seekTo({ action: 'seekto', seekTime: 45, fastSeek: true });
    seekTo({ action: 'seekto' });
    expect(controls.seekTo.mock.calls).toEqual([
      [30, false],
      [45, true],
    ]);
  });

  it('an action the browser rejects does not keep the others from being set', () => {
    const session = fakeSession();
    const accept = session.setActionHandler.getMockImplementation()!;
    session.setActionHandler.mockImplementation((action, handler) => {
      if (action === 'seekto') throw new TypeError('unknown action');
      return accept(action, handler);
    });
    connect(session);
    expect(session.handlers.has('seekto')).toBe(false);
    expect(session.handlers.has('seekforward')).toBe(true);
  });

  it('shows the track with its artwork at every thumbnail size, as absolute URLs', () => {
    const session = fakeSession();
    showTrack(asSession(session), makeTrack(3, { coverUrl: '/cover/a1' }));
    const metadata = session.metadata as unknown as MediaMetadataInit;
    expect(metadata).toMatchObject({ title: 'Song 3', artist: 'The Testers', album: 'First Album' });
    expect(metadata.artwork?.map((a) => a.sizes)).toEqual(COVER_SIZES.map((size) => `${size}x${size}`));
    expect(metadata.artwork?.map((a) => a.src)).toEqual(COVER_SIZES.map((size) => new URL(`/cover/a1?size=${size}`, location.href).href));

    showTrack(asSession(session), makeTrack(4, { artist: null, album: null }));
    expect(session.metadata as unknown as MediaMetadataInit).toEqual({ title: 'Song 4', artist: '', album: '', artwork: [] });
  });

  it('reports the position only with a usable duration, clamped into it', () => {
    const session = fakeSession();
    const media = asSession(session);
    showPosition(media, 'playing', 200, 1, 250);
    expect(session.playbackState).toBe('playing');
    expect(session.setPositionState).toHaveBeenLastCalledWith({ duration: 200, playbackRate: 1, position: 200 });
    showPosition(media, 'paused', 200, 2, -1);
    expect(session.setPositionState).toHaveBeenLastCalledWith({ duration: 200, playbackRate: 2, position: 0 });

    session.setPositionState.mockClear();
    showPosition(media, 'paused', Infinity, 1, 3);
    showPosition(media, 'none', 0, 1, 0);
    expect(session.playbackState).toBe('none');
    expect(session.setPositionState).not.toHaveBeenCalled();
  });

  it('lives with a Safari that throws on a momentary mismatch', () => {
    const session = fakeSession();
    session.setPositionState.mockImplementation(() => {
      throw new TypeError('position exceeds duration');
    });
    expect(() => showPosition(asSession(session), 'playing', 10, 1, 5)).not.toThrow();
    expect(session.setPositionState).toHaveBeenCalledTimes(1);
  });
});
