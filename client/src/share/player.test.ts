import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeAudio, fakeSession, flush, sharePageData, shareTrack, stubMediaMetadata } from '../../test/fixtures.js';
import { createSharePlayer } from './player.js';

beforeEach(stubMediaMetadata);
afterEach(() => vi.unstubAllGlobals());

describe('share page player', () => {
  it('plays the tapped track at once, inside the tap', () => {
    const { audio, log } = fakeAudio();
    const player = createSharePlayer({ audio, data: sharePageData(), mediaSession: null });
    expect(player.state().index).toBe(-1);
    player.playTrack(1);
    expect(log).toEqual(['play /s/abc/stream/t2']);
    expect(player.state()).toMatchObject({ index: 1, paused: false });
    expect(audio.preload).toBe('metadata');
  });

  it('on ended sets the next track’s src and calls play() in the same tick', () => {
    const { audio, log } = fakeAudio();
    const player = createSharePlayer({ audio, data: sharePageData(), mediaSession: null });
    player.playTrack(1);
    log.length = 0;
    audio.dispatchEvent(new Event('ended'));
    // Synchronously: no await between the event and play().
    expect(log).toEqual(['play /s/abc/stream/t3']);
    expect(player.state().index).toBe(2);
  });

  it('stops after the last track ends', () => {
    const fake = fakeAudio();
    const player = createSharePlayer({ audio: fake.audio, data: sharePageData(), mediaSession: null });
    player.playTrack(2);
    fake.audio.pause();
    fake.log.length = 0;
    fake.audio.dispatchEvent(new Event('ended'));
    expect(fake.log).toEqual([]);
    expect(player.state()).toMatchObject({ index: 2, paused: true });
  });

  it('play/pause, next and previous (previous restarts the track after 3 s)', () => {
    const fake = fakeAudio();
    const player = createSharePlayer({ audio: fake.audio, data: sharePageData(), mediaSession: null });
    player.toggle(); // nothing loaded yet: the first track
    expect(fake.log).toEqual(['play /s/abc/stream/t1']);
    player.toggle();
    expect(player.state().paused).toBe(true);
    player.next();
    player.next();
    player.next(); // past the end: nothing
    expect(player.state().index).toBe(2);
    fake.set('readyState', 4);
    fake.set('currentTime', 10);
    player.previous();
    expect(player.state().index).toBe(2);
    expect(fake.audio.currentTime).toBe(0);
    player.previous();
    expect(player.state().index).toBe(1);
    expect(fake.log.at(-1)).toBe('play /s/abc/stream/t2');
  });

  it('seeks in an hour-long file, clamped to its length, and defers a seek made before metadata', () => {
    const fake = fakeAudio();
    const data = sharePageData({ tracks: [shareTrack(1, { duration: 3600 })] });
    const player = createSharePlayer({ audio: fake.audio, data, mediaSession: null });
    player.seek(100); // nothing loaded: nothing to seek
    player.playTrack(0);
    fake.set('readyState', 0);
    player.seek(3000);
    expect(player.state().time).toBe(3000);
    fake.set('readyState', 1);
    fake.audio.dispatchEvent(new Event('loadedmetadata'));
    expect(fake.audio.currentTime).toBe(3000);

    fake.set('duration', 3599.5);
    player.seek(5000);
    expect(fake.audio.currentTime).toBe(3599.5);
    expect(player.state().duration).toBe(3599.5);
  });

  it('asks for a tap when play() is refused, says which track failed otherwise, ignores an abort', async () => {
    const fake = fakeAudio();
    const player = createSharePlayer({ audio: fake.audio, data: sharePageData(), mediaSession: null });
    fake.refuse();
    player.playTrack(0);
    await flush();
    expect(player.state()).toMatchObject({ blocked: true, error: null });
    fake.refuse('AbortError');
    player.playTrack(1);
    await flush();
    expect(player.state().error).toBe(null);
    fake.refuse('NotSupportedError');
    player.playTrack(2);
    await flush();
    expect(player.state().error).toContain('Song 3');
  });

  it('tells the lock screen the track, the cover at every size, and answers its buttons', () => {
    const fake = fakeAudio();
    const session = fakeSession();
    const player = createSharePlayer({ audio: fake.audio, data: sharePageData(), mediaSession: session as unknown as MediaSession, baseUrl: 'https://music.example/s/abc' });
    player.playTrack(0);
    expect(session.metadata).toMatchObject({
      title: 'Song 1',
      artist: 'The Testers',
      album: 'Shared Album',
      artwork: [96, 256, 512].map((size) => ({ src: `https://music.example/s/abc/cover?size=${size}`, sizes: `${size}x${size}` })),
    });
    expect([...session.handlers.keys()]).toEqual(['play', 'pause', 'previoustrack', 'nexttrack', 'seekto', 'seekbackward', 'seekforward']);

    session.handlers.get('nexttrack')!({ action: 'nexttrack' });
    expect(fake.log.at(-1)).toBe('play /s/abc/stream/t2');
    fake.set('readyState', 4);
    session.handlers.get('seekto')!({ action: 'seekto', seekTime: 42 });
    expect(fake.audio.currentTime).toBe(42);
    expect(session.setPositionState).toHaveBeenLastCalledWith({ duration: 122, playbackRate: 1, position: 42 });
    session.handlers.get('pause')!({ action: 'pause' });
    expect(session.playbackState).toBe('paused');
    session.handlers.get('play')!({ action: 'play' });
    expect(fake.audio.paused).toBe(false);
  });

  it('a shared track without a cover or album: no artwork, the album field empty', () => {
    const fake = fakeAudio();
    const session = fakeSession();
    const data = sharePageData({ type: 'track', title: 'Song 1', coverUrl: null, tracks: [shareTrack(1, { album: null, artist: null })] });
    createSharePlayer({ audio: fake.audio, data, mediaSession: session as unknown as MediaSession }).playTrack(0);
    expect(session.metadata).toMatchObject({ title: 'Song 1', artist: 'The Testers', album: '', artwork: [] });
  });
});
