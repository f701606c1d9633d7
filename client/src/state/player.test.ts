import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COVER_SIZES } from '@musicsharer/shared';
import { fakeAudio, fakeSession, flush, makeTrack, stubMediaMetadata } from '../../test/fixtures.js';
import { createPlayer, type PlayerChange } from './player.js';

const tracks = [makeTrack(1), makeTrack(2), makeTrack(3, { coverUrl: '/cover/a1' })];

beforeEach(stubMediaMetadata);
afterEach(() => vi.unstubAllGlobals());

describe('player model', () => {
  it('sets preload="metadata" on the one element and reuses it for every track', () => {
    const { audio } = fakeAudio();
    audio.preload = 'auto';
    const player = createPlayer({ audio, mediaSession: null });
    expect(audio.preload).toBe('metadata');
    player.playList(tracks, 0);
    player.next();
    expect(player.audio).toBe(audio);
    expect(audio.getAttribute('src')).toBe('/stream/t2');
  });

  it('plays a list from the tapped track', () => {
    const { audio, log } = fakeAudio();
    const player = createPlayer({ audio, mediaSession: null });
    player.playList(tracks, 1);
    expect(log).toEqual(['play /stream/t2']);
    expect(player.current.value?.id).toBe('t2');
    expect(player.queue.value).toHaveLength(3);
  });

  it('on ended sets the next src and calls play() in the same tick', () => {
    const { audio, log } = fakeAudio();
    const player = createPlayer({ audio, mediaSession: null });
    player.playList(tracks, 0);
    log.length = 0;
    audio.dispatchEvent(new Event('ended'));
    // No await between the event and these checks: it all happened synchronously.
    expect(audio.getAttribute('src')).toBe('/stream/t2');
    expect(log).toEqual(['play /stream/t2']);
    expect(player.current.value?.id).toBe('t2');
  });

  it('stops at the end of the queue, wraps with repeat all, loops with repeat one', () => {
    const { audio, log } = fakeAudio();
    const player = createPlayer({ audio, mediaSession: null });
    player.playList(tracks, 2);
    log.length = 0;
    audio.dispatchEvent(new Event('ended'));
    expect(log).toEqual([]);
    expect(player.paused.value).toBe(true);

    player.cycleRepeat();
    expect(player.repeat.value).toBe('all');
    audio.dispatchEvent(new Event('ended'));
    expect(log).toEqual(['play /stream/t1']);

    player.cycleRepeat();
    expect(player.repeat.value).toBe('one');
    expect(audio.loop).toBe(true);
    log.length = 0;
    audio.dispatchEvent(new Event('ended'));
    expect(log).toEqual(['play /stream/t1']);
    expect(player.current.value?.id).toBe('t1');

    player.cycleRepeat();
    expect(player.repeat.value).toBe('off');
    expect(audio.loop).toBe(false);
  });

  it('shows "tap to resume" when play() is refused, and clears it once playing', async () => {
    const fake = fakeAudio();
    const player = createPlayer({ audio: fake.audio, mediaSession: null });
    fake.refuse();
    player.playList(tracks, 0);
    await flush();
    expect(player.blocked.value).toBe(true);
    expect(player.paused.value).toBe(true);

    fake.allow();
    player.play();
    await flush();
    expect(player.blocked.value).toBe(false);
    expect(player.paused.value).toBe(false);
  });

  it('ignores AbortError (a newer track replaced the load) and reports other failures', async () => {
    const fake = fakeAudio();
    const player = createPlayer({ audio: fake.audio, mediaSession: null });
    fake.refuse('AbortError');
    player.playList(tracks, 0);
    await flush();
    expect(player.blocked.value).toBe(false);
    expect(player.error.value).toBe(null);

    fake.refuse('NotSupportedError');
    player.next();
    await flush();
    expect(player.blocked.value).toBe(false);
    expect(player.error.value).toContain('Song 2');
  });

  it("uses the server's duration when the browser has none usable", () => {
    const fake = fakeAudio();
    const player = createPlayer({ audio: fake.audio, mediaSession: null });
    player.playList([makeTrack(1, { duration: 3600 })], 0);
    expect(player.duration.value).toBe(3600);
    fake.set('duration', Infinity);
    fake.audio.dispatchEvent(new Event('durationchange'));
    expect(player.duration.value).toBe(3600);
    fake.set('duration', 3599.5);
    fake.audio.dispatchEvent(new Event('durationchange'));
    expect(player.duration.value).toBe(3599.5);
  });

  it('seeks the element, and defers a seek made before metadata to loadedmetadata', () => {
    const fake = fakeAudio();
    const player = createPlayer({ audio: fake.audio, mediaSession: null });
    const changes: PlayerChange[] = [];
    player.onChange((c) => changes.push(c));
    player.playList([makeTrack(1, { duration: 3600 })], 0);

    fake.set('readyState', 0);
    fake.set('currentTime', 0);
    player.seek(1800);
    expect(player.time.value).toBe(1800);
    fake.set('currentTime', 0); // the browser ignored it before metadata
    fake.set('readyState', 1);
    fake.audio.dispatchEvent(new Event('loadedmetadata'));
    expect(fake.audio.currentTime).toBe(1800);

    player.seek(5000);
    expect(fake.audio.currentTime).toBe(3600);
    expect(changes).toContain('seek');
  });

  it('previous restarts a track after 3 s, else goes back one', () => {
    const fake = fakeAudio();
    const player = createPlayer({ audio: fake.audio, mediaSession: null });
    player.playList(tracks, 1);
    fake.set('readyState', 1);
    fake.set('currentTime', 10);
    player.previous();
    expect(fake.audio.currentTime).toBe(0);
    expect(player.current.value?.id).toBe('t2');
    player.previous();
    expect(player.current.value?.id).toBe('t1');
  });

  it('appends to the queue and shuffles it without touching the current track', () => {
    const { audio, log } = fakeAudio();
    const player = createPlayer({ audio, mediaSession: null, random: () => 0 });
    const many = Array.from({ length: 8 }, (_, i) => makeTrack(i + 1));
    player.playList(many.slice(0, 3), 1);
    player.appendToQueue(many.slice(3, 5));
    expect(player.queue.value.map((t) => t.id)).toEqual(['t1', 't2', 't3', 't4', 't5']);
    expect(player.current.value?.id).toBe('t2');
    player.toggleShuffle();
    expect(player.shuffle.value).toBe(true);
    expect(player.index.value).toBe(0);
    player.appendToQueue(many.slice(5));
    player.toggleShuffle();
    expect(player.queue.value.map((t) => t.id)).toEqual(many.map((t) => t.id));
    expect(player.index.value).toBe(1);
    expect(player.current.value?.id).toBe('t2');
    expect(log).toEqual(['play /stream/t2']);
    expect(audio.getAttribute('src')).toBe('/stream/t2');
  });

  it('plays from a position (listen along) and takes fuller track data later', () => {
    const fake = fakeAudio();
    const player = createPlayer({ audio: fake.audio, mediaSession: null });
    player.playFrom(makeTrack(7, { duration: null, album: null }), 61);
    expect(fake.log).toEqual(['play /stream/t7']);
    expect(player.time.value).toBe(61);
    expect(player.snapshot()).toEqual({ trackId: 't7', positionSec: 61, paused: false });
    player.updateTrack(makeTrack(7));
    expect(player.current.value?.album).toBe('First Album');
    expect(player.duration.value).toBe(187);
  });

  it('reports play, pause, seek and track changes, and progress while playing', async () => {
    const { audio } = fakeAudio();
    const player = createPlayer({ audio, mediaSession: null });
    const changes: PlayerChange[] = [];
    player.onChange((c) => changes.push(c));
    player.playList(tracks, 0);
    await flush();
    audio.dispatchEvent(new Event('timeupdate'));
    player.pause();
    expect([...changes].sort()).toEqual(['pause', 'play', 'progress', 'track']);
    changes.length = 0;
    audio.dispatchEvent(new Event('timeupdate'));
    expect(changes).toEqual([]); // no progress while paused
  });

  describe('Media Session', () => {
    it('shows metadata with artwork sizes, and its handlers drive the player', () => {
      const session = fakeSession();
      const fake = fakeAudio();
      const player = createPlayer({ audio: fake.audio, mediaSession: session as unknown as MediaSession });
      player.playList(tracks, 1);
      session.handlers.get('nexttrack')!({ action: 'nexttrack' });
      expect(player.current.value?.id).toBe('t3');
      const metadata = session.metadata as unknown as MediaMetadataInit;
      expect(metadata).toMatchObject({ title: 'Song 3', artist: 'The Testers', album: 'First Album' });
      expect(metadata.artwork?.map((a) => a.sizes)).toEqual(COVER_SIZES.map((size) => `${size}x${size}`));
      expect(metadata.artwork?.[0]?.src).toMatch(new RegExp(`/cover/a1\\?size=${COVER_SIZES[0]}$`));

      fake.set('readyState', 1);
      session.handlers.get('seekto')!({ action: 'seekto', seekTime: 30 });
      expect(fake.audio.currentTime).toBe(30);
      session.handlers.get('previoustrack')!({ action: 'previoustrack' });
      expect(player.current.value?.id).toBe('t3'); // more than 3 s in: restart
      expect(fake.audio.currentTime).toBe(0);
    });

    it('scrubbing on the lock screen seeks fast where the element can, and says so', () => {
      const session = fakeSession();
      const fake = fakeAudio();
      const player = createPlayer({ audio: fake.audio, mediaSession: session as unknown as MediaSession });
      const changes: PlayerChange[] = [];
      player.onChange((c) => changes.push(c));
      player.playList(tracks, 0);
      fake.set('readyState', 1);
      const fastSeek = vi.fn();
      fake.audio.fastSeek = fastSeek;
      session.handlers.get('seekto')!({ action: 'seekto', seekTime: 42, fastSeek: true });
      expect(fastSeek).toHaveBeenCalledWith(42);
      expect(player.time.value).toBe(42);
      expect(changes).toContain('seek');
    });

    it('keeps the position state current', () => {
      const session = fakeSession();
      const fake = fakeAudio();
      const player = createPlayer({ audio: fake.audio, mediaSession: session as unknown as MediaSession });
      player.playList(tracks, 0);
      fake.set('readyState', 1);
      player.seek(20);
      expect(session.setPositionState).toHaveBeenLastCalledWith({ duration: 181, playbackRate: 1, position: 20 });
      fake.set('duration', 180.5);
      fake.audio.dispatchEvent(new Event('durationchange'));
      expect(session.setPositionState).toHaveBeenLastCalledWith({ duration: 180.5, playbackRate: 1, position: 20 });
    });
  });

  it('"Play next" and "Add to queue" queue after what plays; with nothing playing they play at once', () => {
    const { audio } = fakeAudio();
    const player = createPlayer({ audio, mediaSession: null });
    player.addToQueue([makeTrack(7)]);
    expect(audio.getAttribute('src')).toBe('/stream/t7');
    player.playList(tracks, 0);
    player.addToQueue([makeTrack(8)]);
    player.playNext([makeTrack(9)]);
    expect(player.queue.value.map((t) => t.id)).toEqual(['t1', 't9', 't2', 't3', 't8']);
    player.next();
    expect(audio.getAttribute('src')).toBe('/stream/t9');
  });
});
