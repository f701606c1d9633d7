import { batch, computed, signal, type ReadonlySignal } from '@preact/signals';
import type { NowPlayingMessage, Track } from '@musicsharer/shared';
import { coverAt } from './format.js';

export type RepeatMode = 'off' | 'all' | 'one';

/** Why the player changed: the now-playing socket sends the first four at once and throttles `progress`. */
export type PlayerChange = 'track' | 'play' | 'pause' | 'seek' | 'progress';

export type NowPlayingState = Omit<NowPlayingMessage, 'type'>;

export interface PlayerOptions {
  /** The one audio element, reused for every track (iOS unlocks an element, not a page). */
  audio: HTMLAudioElement;
  /** `navigator.mediaSession` by default; `null` for none. */
  mediaSession?: MediaSession | null;
  random?: () => number;
}

export interface PlayerModel {
  readonly audio: HTMLAudioElement;
  /** Tracks in play order (shuffled when shuffle is on). */
  queue: ReadonlySignal<Track[]>;
  /** Position of the current track in `queue`, or -1. */
  index: ReadonlySignal<number>;
  current: ReadonlySignal<Track | null>;
  paused: ReadonlySignal<boolean>;
  /** Seconds into the current track. */
  time: ReadonlySignal<number>;
  /** The browser's duration when it is usable, else the server's, else 0. */
  duration: ReadonlySignal<number>;
  shuffle: ReadonlySignal<boolean>;
  repeat: ReadonlySignal<RepeatMode>;
  /** `play()` was refused (no user gesture): the UI shows "Tap to resume". */
  blocked: ReadonlySignal<boolean>;
  error: ReadonlySignal<string | null>;
  hasNext: ReadonlySignal<boolean>;

  /** Plays `tracks` from `start` (a user tapped a row). */
  playList(tracks: readonly Track[], start: number): void;
  /** Adds tracks at the end of the queue (shuffled among themselves when shuffle is on). */
  appendToQueue(tracks: readonly Track[]): void;
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

const ARTWORK_SIZES = [96, 256, 512] as const;
/** "Previous" restarts the track instead when more than this many seconds in. */
const RESTART_THRESHOLD = 3;

const usable = (d: number) => Number.isFinite(d) && d > 0;

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function createPlayer(options: PlayerOptions): PlayerModel {
  const { audio } = options;
  const random = options.random ?? Math.random;
  const session =
    options.mediaSession !== undefined
      ? options.mediaSession
      : typeof navigator !== 'undefined' && 'mediaSession' in navigator
        ? navigator.mediaSession
        : null;
  audio.preload = 'metadata';

  const queue = signal<Track[]>([]);
  const index = signal(-1);
  const paused = signal(true);
  const time = signal(0);
  const mediaDuration = signal(NaN);
  const shuffle = signal(false);
  const repeat = signal<RepeatMode>('off');
  const blocked = signal(false);
  const error = signal<string | null>(null);
  const current = computed(() => queue.value[index.value] ?? null);
  const duration = computed(() => (usable(mediaDuration.value) ? mediaDuration.value : (current.value?.duration ?? 0)));
  const hasNext = computed(() => queue.value.length > 0 && (index.value < queue.value.length - 1 || repeat.value === 'all'));

  /** The queue in the order it was given, kept while shuffle is on so turning it off restores it. */
  let original: Track[] | null = null;
  /** A seek asked for before the element knew its metadata; applied on `loadedmetadata`. */
  let pendingSeek: number | null = null;
  const listeners = new Set<(change: PlayerChange) => void>();
  const emit = (change: PlayerChange) => listeners.forEach((listener) => listener(change));

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
          else error.value = `Can't play “${current.peek()?.title ?? 'this track'}”`;
        });
      },
    );
  }

  /**
   * Loads queue item `i` into the one element and starts it. Synchronous on purpose: from an
   * `ended` handler the new src and play() must happen in the same tick (no await, no render),
   * or a locked iPhone will not start the next track.
   */
  function start(i: number, at = 0) {
    const track = queue.peek()[i];
    if (!track) return;
    pendingSeek = at > 0 ? at : null;
    audio.src = track.url;
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
      index.value = i;
      time.value = at;
      mediaDuration.value = NaN;
      error.value = null;
    });
    showMetadata(track);
    emit('track');
  }

  function setQueue(tracks: readonly Track[], startIndex: number): number {
    const list = tracks.slice();
    const first = list[startIndex];
    if (!first) return -1;
    if (shuffle.peek()) {
      original = list;
      queue.value = [first, ...shuffled(list.filter((_, i) => i !== startIndex), random)];
      return 0;
    }
    original = null;
    queue.value = list;
    return startIndex;
  }

  function playList(tracks: readonly Track[], startIndex: number) {
    const i = setQueue(tracks, startIndex);
    if (i >= 0) start(i);
  }

  function next() {
    const i = index.peek() + 1;
    if (i < queue.peek().length) start(i);
    else if (repeat.peek() === 'all' && queue.peek().length > 0) start(0);
  }

  function previous() {
    const i = index.peek();
    if (i < 0) return;
    if (audio.currentTime > RESTART_THRESHOLD) seek(0);
    else if (i > 0) start(i - 1);
    else if (repeat.peek() === 'all') start(queue.peek().length - 1);
    else seek(0);
  }

  function play() {
    const track = current.peek();
    if (!track) return;
    if (!audio.getAttribute('src')) start(index.peek(), time.peek());
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

  // --- Media Session: the lock screen and Control Center -----------------------------------
  function showMetadata(track: Track) {
    if (!session || typeof MediaMetadata === 'undefined') return;
    const cover = track.coverUrl;
    session.metadata = new MediaMetadata({
      title: track.title,
      artist: track.artist ?? '',
      album: track.album ?? '',
      artwork: cover ? ARTWORK_SIZES.map((size) => ({ src: new URL(coverAt(cover, size), location.href).href, sizes: `${size}x${size}` })) : [],
    });
  }

  function updatePosition() {
    if (!session) return;
    session.playbackState = current.peek() ? (audio.paused ? 'paused' : 'playing') : 'none';
    const d = duration.peek();
    if (!usable(d) || typeof session.setPositionState !== 'function') return;
    try {
      session.setPositionState({ duration: d, playbackRate: audio.playbackRate || 1, position: Math.min(Math.max(0, time.peek()), d) });
    } catch {
      // Safari throws when position and duration disagree for a moment: the next update fixes it.
    }
  }

  if (session) {
    const handlers: [MediaSessionAction, MediaSessionActionHandler | null][] = [
      ['play', () => play()],
      ['pause', () => audio.pause()],
      ['previoustrack', () => previous()],
      ['nexttrack', () => next()],
      ['seekto', (details) => {
        if (details.seekTime == null) return;
        if (details.fastSeek && typeof audio.fastSeek === 'function' && audio.readyState >= 1) {
          audio.fastSeek(details.seekTime);
          time.value = details.seekTime;
          emit('seek');
        } else seek(details.seekTime);
      }],
      // Without these, iOS shows previous/next track on the lock screen instead of ±10 s.
      ['seekbackward', null],
      ['seekforward', null],
    ];
    for (const [action, handler] of handlers) {
      try {
        session.setActionHandler(action, handler);
      } catch {
        // Older browsers reject actions they do not know.
      }
    }
  }

  // --- The element's events -----------------------------------------------------------------
  audio.addEventListener('ended', () => {
    if (repeat.peek() === 'one') {
      audio.currentTime = 0;
      watch(audio.play());
      return;
    }
    // Same tick: start() sets src and calls play() before anything else happens.
    const i = index.peek() + 1;
    if (i < queue.peek().length) start(i);
    else if (repeat.peek() === 'all' && queue.peek().length > 0) start(0);
    else {
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
    if (!audio.getAttribute('src')) return;
    batch(() => {
      paused.value = true;
      error.value = `Can't play “${current.peek()?.title ?? 'this track'}”`;
    });
  });

  return {
    audio,
    queue,
    index,
    current,
    paused,
    time,
    duration,
    shuffle,
    repeat,
    blocked,
    error,
    hasNext,
    playList,
    appendToQueue(tracks) {
      if (tracks.length === 0) return;
      if (original) {
        original = original.concat(tracks);
        queue.value = queue.peek().concat(shuffled(tracks.slice(), random));
      } else {
        queue.value = queue.peek().concat(tracks);
      }
    },
    playAt: (i) => start(i),
    playFrom(track, positionSec) {
      original = null;
      queue.value = [track];
      const d = track.duration;
      start(0, Math.max(0, d && positionSec >= d ? 0 : positionSec));
    },
    updateTrack(track) {
      const replace = (list: Track[]) => list.map((t) => (t.id === track.id ? track : t));
      queue.value = replace(queue.peek());
      if (original) original = replace(original);
      if (current.peek()?.id === track.id) {
        showMetadata(track);
        updatePosition();
      }
    },
    play,
    pause: () => audio.pause(),
    toggle: () => (audio.paused ? play() : audio.pause()),
    next,
    previous,
    seek,
    toggleShuffle() {
      const list = queue.peek();
      const now = current.peek();
      if (!shuffle.peek()) {
        shuffle.value = true;
        if (!now) return;
        original = list;
        batch(() => {
          queue.value = [now, ...shuffled(list.filter((_, i) => i !== index.peek()), random)];
          index.value = 0;
        });
      } else {
        shuffle.value = false;
        if (!original) return;
        const restored = original;
        original = null;
        batch(() => {
          queue.value = restored;
          index.value = now ? Math.max(0, restored.indexOf(now)) : -1;
        });
      }
    },
    cycleRepeat() {
      const mode = repeat.peek() === 'off' ? 'all' : repeat.peek() === 'all' ? 'one' : 'off';
      repeat.value = mode;
      // A looping element repeats without an `ended` round trip, which is surest on a locked phone.
      audio.loop = mode === 'one';
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
