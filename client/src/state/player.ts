/**
 * The element control: the player model owns the one `<audio>` element and drives it from the
 * queue (./queue.ts decides what plays) and reports to the lock screen (./media-session.ts).
 * One element for the page's whole life: iOS unlocks an element once per user gesture, and
 * reusing that element is what lets the next track start on a locked phone.
 */
import { batch, computed, signal, type ReadonlySignal } from '@preact/signals';
import type { NowPlayingMessage, Track } from '@musicsharer/shared';
import { defaultMediaSession, setMediaActions, showPosition, showTrack } from './media-session.js';
import type { TrackSource } from './track-source.js';
import { createQueue, type QueueModel } from './queue.js';

/** Why the player changed: the now-playing socket sends the first four at once and throttles `progress`. */
export type PlayerChange = 'track' | 'play' | 'pause' | 'seek' | 'progress';

export type NowPlayingState = Omit<NowPlayingMessage, 'type'>;

export interface PlayerOptions {
  /** The one audio element, reused for every track (iOS unlocks an element, not a page). */
  audio: HTMLAudioElement;
  /** `navigator.mediaSession` by default; `null` for none. */
  mediaSession?: MediaSession | null;
  random?: () => number;
  /**
   * Original or MP3 for each track (./track-source.ts). A getter: the source comes in a chunk
   * of its own; until it is in (or without one) every track plays its original and a failure
   * only says so.
   */
  source?: () => TrackSource<Track> | null;
  /** A track was passed over ("Cannot play this file", "Cannot play on this device"): the app shows why. */
  onCannotPlay?: (message: string) => void;
}

/** The queue's state as the components read it (`queue` is the queue model's `tracks`). */
export interface PlayerModel extends Pick<QueueModel, 'index' | 'current' | 'shuffle' | 'repeat' | 'hasNext'> {
  readonly audio: HTMLAudioElement;
  /** Tracks in play order (shuffled when shuffle is on). */
  queue: QueueModel['tracks'];
  paused: ReadonlySignal<boolean>;
  /** Seconds into the current track. */
  time: ReadonlySignal<number>;
  /** The browser's duration when it is usable, else the server's, else 0. */
  duration: ReadonlySignal<number>;
  /** `play()` was refused (no user gesture): the UI shows "Tap to resume". */
  blocked: ReadonlySignal<boolean>;
  error: ReadonlySignal<string | null>;

  /** Plays `tracks` from `start` (a user tapped a row). */
  playList(tracks: readonly Track[], start: number): void;
  /** Adds tracks at the end of the queue (shuffled among themselves when shuffle is on). */
  appendToQueue(tracks: readonly Track[]): void;
  /** "Play next": right after the current track; with nothing playing, plays them now. */
  playNext(tracks: readonly Track[]): void;
  /** "Add to queue": at the end; with nothing playing, plays them now. */
  addToQueue(tracks: readonly Track[]): void;
  /** Jumps to a position in the queue. */
  playAt(queueIndex: number): void;
  /** Plays one track from a position ("listen along"). */
  playFrom(track: Track, positionSec: number): void;
  /** Swaps in fuller data for a track already queued (same id). */
  updateTrack(track: Track): void;
  play(): void;
  pause(): void;
  toggle(): void;
  next(): void;
  previous(): void;
  seek(seconds: number): void;
  toggleShuffle(): void;
  cycleRepeat(): void;
  /** Re-reads the element's state (after the page comes back from the background). */
  sync(): void;
  snapshot(): NowPlayingState;
  onChange(listener: (change: PlayerChange) => void): () => void;
}

/** "Previous" restarts the track instead when more than this many seconds in. */
const RESTART_THRESHOLD = 3;

const usable = (d: number) => Number.isFinite(d) && d > 0;

export function createPlayer(options: PlayerOptions): PlayerModel {
  const { audio } = options;
  const source = () => options.source?.() ?? null;
  audio.preload = 'metadata';

  const queue = createQueue({ random: options.random });
  const { current } = queue;
  const paused = signal(true);
  const time = signal(0);
  const mediaDuration = signal(NaN);
  const blocked = signal(false);
  const error = signal<string | null>(null);
  const duration = computed(() => (usable(mediaDuration.value) ? mediaDuration.value : (current.value?.duration ?? 0)));

  /** A seek asked for before the element knew its metadata; applied on `loadedmetadata`. */
  let pendingSeek: number | null = null;
  const cantPlay = () => `Can't play “${current.peek()?.title ?? 'this track'}”`;
  const listeners = new Set<(change: PlayerChange) => void>();
  const emit = (change: PlayerChange) => listeners.forEach((listener) => listener(change));

  const session = options.mediaSession !== undefined ? options.mediaSession : defaultMediaSession();
  if (session) {
    setMediaActions(session, {
      play,
      pause,
      previous,
      next,
      seekTo(seconds, fast) {
        if (fast && typeof audio.fastSeek === 'function' && audio.readyState >= 1) {
          audio.fastSeek(seconds);
          time.value = seconds;
          emit('seek');
        } else seek(seconds);
      },
    });
  }

  function updatePosition() {
    if (session) showPosition(session, current.peek() ? (audio.paused ? 'paused' : 'playing') : 'none', duration.peek(), audio.playbackRate || 1, time.peek());
  }

  function watch(promise: Promise<void> | undefined) {
    promise?.then(
      () => (blocked.value = false),
      (err: unknown) => {
        const name = (err as { name?: string } | null)?.name;
        // AbortError: a newer src replaced this one before it started. Not a failure.
        if (name === 'AbortError') return;
        batch(() => {
          paused.value = audio.paused;
          if (name === 'NotAllowedError') blocked.value = true;
          else error.value = cantPlay();
        });
      },
    );
  }

  /**
   * Loads queue item `i` into the one element and starts it. Synchronous on purpose: from an
   * `ended` handler the new src and play() must happen in the same tick (no await, no render),
   * or a locked iPhone will not start the next track.
   */
  function start(i: number, at = 0, skipped = 0): void {
    const track = queue.tracks.peek()[i];
    if (!track) return;
    const from = source();
    const cannot = from?.cannotPlayMessage(track);
    if (cannot) return passOver(i, cannot, skipped);
    pendingSeek = at > 0 ? at : null;
    audio.src = from ? from.urlFor(track) : track.url;
    if (pendingSeek !== null) {
      // Before metadata this sets the default playback start position; re-applied on loadedmetadata.
      try {
        audio.currentTime = pendingSeek;
      } catch {
        /* applied on loadedmetadata */
      }
    }
    watch(audio.play());
    // State and side effects only after play() has been called.
    batch(() => {
      queue.moveTo(i);
      time.value = at;
      mediaDuration.value = NaN;
      error.value = null;
    });
    if (session) showTrack(session, track);
    emit('track');
    from?.prepare(queue.tracks.peek().slice(i + 1, i + 3));
  }

  /**
   * Says why queue item `i` cannot play, then starts the next one that can (synchronously, as
   * from `ended`); with none after it, stops on it with the message.
   */
  function passOver(i: number, message: string, skipped: number): void {
    options.onCannotPlay?.(message);
    const list = queue.tracks.peek();
    const after = i + 1 < list.length ? i + 1 : queue.repeat.peek() === 'all' ? 0 : -1;
    if (after >= 0 && skipped + 1 < list.length) return start(after, 0, skipped + 1);
    audio.removeAttribute('src');
    audio.load();
    batch(() => {
      queue.moveTo(i);
      paused.value = true;
      time.value = 0;
      mediaDuration.value = NaN;
      error.value = message;
    });
    emit('track');
  }

  function next() {
    const i = queue.nextIndex();
    if (i >= 0) start(i);
  }

  function previous() {
    if (queue.index.peek() < 0) return;
    const i = queue.previousIndex();
    if (audio.currentTime <= RESTART_THRESHOLD && i >= 0) start(i);
    else seek(0);
  }

  function pause() {
    audio.pause();
  }

  function play() {
    const track = current.peek();
    if (!track) return;
    if (!audio.getAttribute('src')) start(queue.index.peek(), time.peek());
    else watch(audio.play());
  }

  function seek(seconds: number) {
    if (!current.peek()) return;
    const max = duration.peek();
    const to = Math.max(0, max > 0 ? Math.min(seconds, max) : seconds);
    if (audio.readyState >= 1 /* HAVE_METADATA */) {
      pendingSeek = null;
      audio.currentTime = to;
    } else {
      pendingSeek = to;
      try {
        audio.currentTime = to;
      } catch {
        /* applied on loadedmetadata */
      }
    }
    time.value = to;
    updatePosition();
    emit('seek');
  }

  function playList(tracks: readonly Track[], startIndex: number) {
    const i = queue.setList(tracks, startIndex);
    if (i >= 0) start(i);
  }

  // --- The element's events -----------------------------------------------------------------
  audio.addEventListener('ended', () => {
    const step = queue.afterEnded();
    if (step === 'replay') {
      audio.currentTime = 0;
      watch(audio.play());
    } else if (step !== 'stop') {
      // Same tick: start() sets src and calls play() before anything else happens.
      start(step);
    } else {
      paused.value = true;
      updatePosition();
    }
  });
  audio.addEventListener('play', () => {
    batch(() => {
      paused.value = false;
      blocked.value = false;
    });
    updatePosition();
    emit('play');
  });
  audio.addEventListener('pause', () => {
    batch(() => {
      paused.value = true;
      if (pendingSeek === null) time.value = audio.currentTime;
    });
    updatePosition();
    emit('pause');
  });
  audio.addEventListener('timeupdate', () => {
    if (pendingSeek !== null) return;
    time.value = audio.currentTime;
    if (!audio.paused) emit('progress');
  });
  const onMetadata = () => {
    if (pendingSeek !== null && audio.readyState >= 1) {
      const to = pendingSeek;
      pendingSeek = null;
      if (Math.abs(audio.currentTime - to) > 0.5) audio.currentTime = to;
    }
    mediaDuration.value = audio.duration;
    updatePosition();
  };
  audio.addEventListener('loadedmetadata', onMetadata);
  audio.addEventListener('durationchange', onMetadata);
  audio.addEventListener('seeked', () => {
    if (pendingSeek === null) time.value = audio.currentTime;
    updatePosition();
  });
  audio.addEventListener('ratechange', updatePosition);
  audio.addEventListener('error', () => {
    const src = audio.getAttribute('src');
    const track = current.peek();
    if (!src || !track) return;
    batch(() => {
      paused.value = true;
      error.value = cantPlay();
    });
    const i = queue.index.peek();
    const at = pendingSeek ?? time.peek();
    source()?.recover(track, src, audio.error?.code, {
      stillCurrent: () => queue.index.peek() === i && audio.getAttribute('src') === src,
      retry: () => start(i, at),
      passOver: (message) => passOver(i, message, 0),
    });
  });

  return {
    audio,
    queue: queue.tracks,
    index: queue.index,
    current,
    paused,
    time,
    duration,
    shuffle: queue.shuffle,
    repeat: queue.repeat,
    blocked,
    error,
    hasNext: queue.hasNext,
    playList,
    appendToQueue: queue.append,
    playNext(tracks) {
      if (current.peek()) queue.insertNext(tracks);
      else playList(tracks, 0);
    },
    addToQueue(tracks) {
      if (current.peek()) queue.append(tracks);
      else playList(tracks, 0);
    },
    playAt: (i) => start(i),
    playFrom(track, positionSec) {
      queue.setSingle(track);
      const d = track.duration;
      start(0, Math.max(0, d && positionSec >= d ? 0 : positionSec));
    },
    updateTrack(track) {
      if (queue.updateTrack(track)) {
        if (session) showTrack(session, track);
        updatePosition();
      }
    },
    play,
    pause,
    toggle: () => (audio.paused ? play() : pause()),
    next,
    previous,
    seek,
    toggleShuffle: queue.toggleShuffle,
    cycleRepeat() {
      // A looping element repeats without an `ended` round trip, which is surest on a locked phone.
      audio.loop = queue.cycleRepeat() === 'one';
    },
    sync() {
      batch(() => {
        paused.value = audio.paused;
        if (pendingSeek === null && current.peek()) time.value = audio.currentTime;
      });
      updatePosition();
    },
    snapshot: () => ({
      trackId: current.peek()?.id ?? null,
      positionSec: Math.round((pendingSeek ?? audio.currentTime ?? 0) * 10) / 10,
      paused: audio.paused,
    }),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
