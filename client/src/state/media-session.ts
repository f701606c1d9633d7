/**
 * The Media Session glue: what the lock screen and Control Center show (title, artist, album,
 * artwork at each thumbnail size, position) and the buttons they offer, wired to the player.
 */
import { COVER_SIZES, type Track } from '@musicsharer/shared';
import { coverAt } from './format.js';

/** What the lock screen's buttons do; the player supplies these. */
export interface MediaSessionControls {
  play(): void;
  pause(): void;
  previous(): void;
  next(): void;
  /** `fast`: the system asked for a quick, approximate seek (scrubbing). */
  seekTo(seconds: number, fast: boolean): void;
}

/** `navigator.mediaSession` where the browser has one. */
export function defaultMediaSession(): MediaSession | null {
  return typeof navigator !== 'undefined' && 'mediaSession' in navigator ? navigator.mediaSession : null;
}

/** Installs the lock screen's buttons, once for the page's life. */
export function setMediaActions(session: MediaSession, controls: MediaSessionControls): void {
  const handlers: [MediaSessionAction, MediaSessionActionHandler | null][] = [
    ['play', controls.play],
    ['pause', controls.pause],
    ['previoustrack', controls.previous],
    ['nexttrack', controls.next],
    ['seekto', (details) => {
      if (details.seekTime != null) controls.seekTo(details.seekTime, details.fastSeek === true);
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

/** Title, artist, album and the cover at every thumbnail size. */
export function showTrack(session: MediaSession, track: Track): void {
  if (typeof MediaMetadata === 'undefined') return;
  const cover = track.coverUrl;
  session.metadata = new MediaMetadata({
    title: track.title,
    artist: track.artist ?? '',
    album: track.album ?? '',
    artwork: cover ? COVER_SIZES.map((size) => ({ src: new URL(coverAt(cover, size), location.href).href, sizes: `${size}x${size}` })) : [],
  });
}

/** Playing or paused, and where: `duration` in seconds, no position unless it is finite and positive. */
export function showPosition(session: MediaSession, state: MediaSessionPlaybackState, duration: number, playbackRate: number, position: number): void {
  session.playbackState = state;
  if (!(Number.isFinite(duration) && duration > 0) || typeof session.setPositionState !== 'function') return;
  try {
    session.setPositionState({ duration, playbackRate, position: Math.min(Math.max(0, position), duration) });
  } catch {
    // Safari throws when position and duration disagree for a moment: the next update fixes it.
  }
}
