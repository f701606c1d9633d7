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

export interface PositionReport {
  state: MediaSessionPlaybackState;
  /** Seconds; nothing is reported unless it is finite and positive. */
  duration: number;
  playbackRate: number;
  position: number;
}

export interface MediaSessionGlue {
  showTrack(track: Track): void;
  showPosition(report: PositionReport): void;
}

/** `navigator.mediaSession` where the browser has one. */
export function defaultMediaSession(): MediaSession | null {
  return typeof navigator !== 'undefined' && 'mediaSession' in navigator ? navigator.mediaSession : null;
}

/** Installs the action handlers once and returns what the player calls to keep the session current. */
export function connectMediaSession(session: MediaSession | null, controls: MediaSessionControls): MediaSessionGlue {
  if (!session) return { showTrack() {}, showPosition() {} };

  const handlers: [MediaSessionAction, MediaSessionActionHandler | null][] = [
    ['play', () => controls.play()],
    ['pause', () => controls.pause()],
    ['previoustrack', () => controls.previous()],
    ['nexttrack', () => controls.next()],
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

  return {
    showTrack(track) {
      if (typeof MediaMetadata === 'undefined') return;
      const cover = track.coverUrl;
      session.metadata = new MediaMetadata({
        title: track.title,
        artist: track.artist ?? '',
        album: track.album ?? '',
        artwork: cover ? COVER_SIZES.map((size) => ({ src: new URL(coverAt(cover, size), location.href).href, sizes: `${size}x${size}` })) : [],
      });
    },
    showPosition({ state, duration, playbackRate, position }) {
      session.playbackState = state;
      if (!(Number.isFinite(duration) && duration > 0) || typeof session.setPositionState !== 'function') return;
      try {
        session.setPositionState({ duration, playbackRate, position: Math.min(Math.max(0, position), duration) });
      } catch {
        // Safari throws when position and duration disagree for a moment: the next update fixes it.
      }
    },
  };
}
