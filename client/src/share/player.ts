/**
 * The share page's player: one `<audio>` element through the shared album's tracks (or the one
 * shared track). The same rules for iOS Safari as the app's player (../state/player.ts), without
 * its queue, shuffle or socket, and without importing it: this page ships on its own, a few KB.
 *
 *  - A tap starts a track inside the tap: `playTrack()` sets `src` and calls `play()` at once.
 *  - At `ended` the next track's `src` is set and `play()` called in the same tick (no await, no
 *    render in between): that is what starts the next track on a locked iPhone.
 *  - The lock screen (Media Session) shows title, artist, album and the cover at every thumbnail
 *    size, and its buttons play, pause, skip and seek.
 *  - A track this browser cannot play is asked for as MP3 (`source`, ./formats.ts, loaded after
 *    the page is up): the same decision and recovery as the app's player.
 */
import type { COVER_SIZES, SharePageData, SharePageTrack } from '@musicsharer/shared';
import type { TrackSource } from '../state/track-source.js';

/**
 * The cover thumbnail sizes the server makes (`?size=`): the contract's, checked by type. The
 * value is not imported: its module is the app's, and sharing it would split the app's entry.
 */
const ARTWORK_SIZES: typeof COVER_SIZES = [96, 256, 512];
/** "Previous" restarts the track instead when more than this many seconds in. */
const RESTART_AFTER = 3;

export interface SharePlayerState {
  /** The track loaded (highlighted), or -1 before the first tap. */
  index: number;
  paused: boolean;
  /** Seconds into the track. */
  time: number;
  /** The browser's duration when it knows it, else the server's, else 0. */
  duration: number;
  /** `play()` was refused (no user gesture): the page asks for a tap. */
  blocked: boolean;
  error: string | null;
}

export interface SharePlayer {
  readonly tracks: readonly SharePageTrack[];
  state(): SharePlayerState;
  /** Loads track `i` and plays it: call it inside the user's tap. */
  playTrack(i: number): void;
  /** Play or pause; before any track, plays the first. */
  toggle(): void;
  next(): void;
  /** The previous track, or back to the start of this one when past the first seconds. */
  previous(): void;
  seek(seconds: number): void;
  /** Runs on every change of the state (track, play/pause, time, duration, error). */
  onChange(listener: (state: SharePlayerState) => void): void;
  /** Shows a message where errors show (a tap on a track that cannot play here). */
  tell(message: string): void;
}

export interface SharePlayerOptions {
  audio: HTMLAudioElement;
  data: Pick<SharePageData, 'type' | 'title' | 'artist' | 'coverUrl' | 'tracks'>;
  /** `navigator.mediaSession` by default; null for none. */
  mediaSession?: MediaSession | null;
  /** Base for the artwork's absolute URLs (default: the page's). */
  baseUrl?: string;
  /** Original or MP3 per track; until it is in (or without one) every track plays its original. */
  source?: () => TrackSource<SharePageTrack> | null;
}

const known = (seconds: number) => Number.isFinite(seconds) && seconds > 0;

export function createSharePlayer({ audio, data, mediaSession, baseUrl, source = () => null }: SharePlayerOptions): SharePlayer {
  const { tracks } = data;
  const session = mediaSession !== undefined ? mediaSession : 'mediaSession' in navigator ? navigator.mediaSession : null;
  const listeners: ((state: SharePlayerState) => void)[] = [];
  let index = -1;
  let blocked = false;
  let error: string | null = null;
  /** A seek asked for before the element had metadata: applied on `loadedmetadata`. */
  let pendingSeek: number | null = null;
  audio.preload = 'metadata';

  const duration = () => (known(audio.duration) ? audio.duration : (tracks[index]?.duration ?? 0));
  const state = (): SharePlayerState => ({
    index,
    paused: audio.paused,
    time: pendingSeek ?? (index < 0 ? 0 : audio.currentTime || 0),
    duration: duration(),
    blocked,
    error,
  });
  const emit = () => {
    const now = state();
    for (const listener of listeners) listener(now);
  };

  function showPosition() {
    if (!session) return;
    session.playbackState = index < 0 ? 'none' : audio.paused ? 'paused' : 'playing';
    const d = duration();
    if (!known(d) || typeof session.setPositionState !== 'function') return;
    try {
      session.setPositionState({ duration: d, playbackRate: audio.playbackRate || 1, position: Math.min(Math.max(0, state().time), d) });
    } catch {
      // Safari throws while position and duration disagree for a moment; the next update fixes it.
    }
  }

  function showTrack(track: SharePageTrack) {
    if (!session || typeof MediaMetadata === 'undefined') return;
    const cover = data.coverUrl;
    const base = baseUrl ?? location.href;
    session.metadata = new MediaMetadata({
      title: track.title,
      artist: track.artist ?? data.artist ?? '',
      album: track.album ?? (data.type === 'album' ? data.title : ''),
      artwork: cover ? ARTWORK_SIZES.map((size) => ({ src: new URL(`${cover}?size=${size}`, base).href, sizes: `${size}x${size}` })) : [],
    });
  }

  /** Follows a `play()` promise: a refusal asks for a tap, a failure says so, an abort (a newer src) is nothing. */
  function watch(promise: Promise<void> | undefined) {
    promise?.then(
      () => {
        blocked = false;
      },
      (reason: unknown) => {
        const name = (reason as { name?: string } | null)?.name;
        if (name === 'AbortError') return;
        if (name === 'NotAllowedError') blocked = true;
        else error = `Can't play “${tracks[index]?.title ?? 'this track'}”`;
        emit();
      },
    );
  }

  /** Synchronous on purpose: from a tap or from `ended`, src and play() in the same tick. */
  function playTrack(i: number, at = 0) {
    const track = tracks[i];
    if (!track) return;
    const from = source();
    const cannot = from?.cannotPlayMessage(track);
    if (cannot) return passOver(i, cannot);
    pendingSeek = at > 0 ? at : null;
    audio.src = from ? from.urlFor(track) : track.url;
    watch(audio.play());
    index = i;
    error = null;
    showTrack(track);
    showPosition();
    emit();
    from?.prepare(tracks.slice(i + 1, i + 3));
  }

  /** Says why track `i` cannot play and goes on to the next one (which plays on under the message). */
  function passOver(i: number, message: string) {
    if (i + 1 < tracks.length) playTrack(i + 1);
    error = message;
    emit();
  }

  function seek(seconds: number) {
    if (index < 0) return;
    const d = duration();
    const to = Math.max(0, known(d) ? Math.min(seconds, d) : seconds);
    if (audio.readyState >= 1 /* HAVE_METADATA */) {
      pendingSeek = null;
      audio.currentTime = to;
    } else {
      pendingSeek = to;
    }
    showPosition();
    emit();
  }

  const player: SharePlayer = {
    tracks,
    state,
    playTrack,
    toggle() {
      if (index < 0) playTrack(0);
      else if (audio.paused) watch(audio.play());
      else audio.pause();
    },
    next() {
      if (index + 1 < tracks.length) playTrack(index + 1);
    },
    previous() {
      if (index < 0) return;
      if (index === 0 || audio.currentTime > RESTART_AFTER) seek(0);
      else playTrack(index - 1);
    },
    seek,
    onChange(listener) {
      listeners.push(listener);
    },
    tell(message) {
      error = message;
      emit();
    },
  };

  audio.addEventListener('ended', () => {
    // Same tick: the next src and play() before anything else (a locked phone allows only that).
    if (index + 1 < tracks.length) playTrack(index + 1);
    else {
      showPosition();
      emit();
    }
  });
  const onMetadata = () => {
    if (pendingSeek !== null && audio.readyState >= 1) {
      audio.currentTime = pendingSeek;
      pendingSeek = null;
    }
    showPosition();
    emit();
  };
  audio.addEventListener('loadedmetadata', onMetadata);
  audio.addEventListener('durationchange', onMetadata);
  for (const type of ['play', 'pause', 'seeked', 'ratechange']) {
    audio.addEventListener(type, () => {
      if (type === 'play') blocked = false;
      showPosition();
      emit();
    });
  }
  audio.addEventListener('timeupdate', emit);
  audio.addEventListener('error', () => {
    const src = audio.getAttribute('src');
    const track = tracks[index];
    if (!src || !track) return;
    error = `Can't play “${track.title}”`;
    emit();
    const i = index;
    const at = pendingSeek ?? audio.currentTime;
    source()?.recover(track, src, audio.error?.code, {
      stillCurrent: () => index === i && audio.getAttribute('src') === src,
      retry: () => playTrack(i, at),
      passOver: (message) => passOver(i, message),
    });
  });

  if (session) {
    const actions: [MediaSessionAction, MediaSessionActionHandler | null][] = [
      ['play', () => (audio.paused ? player.toggle() : undefined)],
      ['pause', () => audio.pause()],
      ['previoustrack', player.previous],
      ['nexttrack', player.next],
      ['seekto', (details) => details.seekTime != null && seek(details.seekTime)],
      // Without these, iOS shows previous/next track on the lock screen instead of ±10 s.
      ['seekbackward', null],
      ['seekforward', null],
    ];
    for (const [action, handler] of actions) {
      try {
        session.setActionHandler(action, handler);
      } catch {
        // Older browsers reject actions they do not know.
      }
    }
  }
  return player;
}
