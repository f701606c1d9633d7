/**
 * The share page's controls, over the page the server rendered (see `GET /s/:id`): the track
 * buttons (`.share-track[data-index]`) start their track, and `#share-player` (hidden until this
 * script runs) becomes the player: what plays, a seek slider, elapsed and remaining time,
 * previous / play-pause / next. Plain DOM: this page loads no framework.
 */
import type { SharePageData, SharePageTrack } from '@musicsharer/shared';
import type { TrackSource } from '../state/track-source.js';
import { createSharePlayer, type SharePlayer, type SharePlayerState } from './player.js';

/**
 * Vite wraps each dynamic import in its preload helper, which the app uses too: Rollup would
 * split the helper into a chunk this page must fetch before it can start. A module defining
 * its own `__vitePreload` keeps Vite's out (client/scripts/budget.ts checks that this page
 * loads one script). Here it only loads: the chunk's own imports follow as ES imports do.
 */
export const __vitePreload = <T>(load: () => Promise<T>): Promise<T> => load();

const ICONS = {
  play: 'M8 5v14l11-7z',
  pause: 'M6 5h4v14H6zM14 5h4v14h-4z',
  next: 'M6 6l8.5 6L6 18zM16 6h2v12h-2z',
  previous: 'M18 6l-8.5 6 8.5 6zM6 6h2v12H6z',
};

/** "m:ss", or "h:mm:ss" from an hour on; unknown or negative reads "0:00". */
export function clock(seconds: number): string {
  const t = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const parts = t >= 3600 ? [Math.floor(t / 3600), Math.floor(t / 60) % 60, t % 60] : [Math.floor(t / 60), t % 60];
  return parts.map((n, i) => (i === 0 ? String(n) : String(n).padStart(2, '0'))).join(':');
}

function element<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, className: string, attributes: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const el = doc.createElement(tag);
  el.className = className;
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  return el;
}

function iconButton(doc: Document, className: string, label: string, icon: keyof typeof ICONS): HTMLButtonElement {
  const button = element(doc, 'button', `sp-button ${className}`, { type: 'button', 'aria-label': label });
  button.innerHTML = `<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="${ICONS[icon]}"/></svg>`;
  return button;
}

export interface MountOptions {
  mediaSession?: MediaSession | null;
  /** An element to use instead of a new `<audio>` (tests). */
  audio?: HTMLAudioElement;
  /** Where the formats this device failed on and Data saver are remembered (default: localStorage). */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** For the prepare-ahead and failure probes (default: the page's fetch). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

function pageStorage(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null;
  }
}

/** Builds the player into `#share-player`, wires the track buttons, and returns the player. */
export function mountSharePage(doc: Document, data: SharePageData, options: MountOptions = {}): SharePlayer | null {
  const host = doc.getElementById('share-player');
  if (!host || data.tracks.length === 0) return null;
  const audio = options.audio ?? element(doc, 'audio', 'sp-audio', { preload: 'metadata', 'x-webkit-airplay': 'allow' });
  let source: TrackSource<SharePageTrack> | null = null;
  const player = createSharePlayer({ audio, data, mediaSession: options.mediaSession, source: () => source });
  const trackButtons = [...doc.querySelectorAll<HTMLButtonElement>('.share-track[data-index]')];
  const trackOf = (button: HTMLButtonElement) => data.tracks[Number(button.dataset.index)];

  const now = element(doc, 'p', 'sp-now', { 'aria-live': 'polite' });
  const title = element(doc, 'span', 'sp-title');
  const detail = element(doc, 'span', 'sp-detail');
  now.append(title, detail);
  const slider = element(doc, 'input', 'sp-seek', { type: 'range', min: '0', max: '0', step: 'any', value: '0', 'aria-label': 'Seek', disabled: '' });
  const elapsed = element(doc, 'span', 'sp-elapsed');
  const remaining = element(doc, 'span', 'sp-remaining');
  const times = element(doc, 'div', 'sp-times');
  times.append(elapsed, remaining);
  const previous = iconButton(doc, 'sp-previous', 'Previous', 'previous');
  const toggle = iconButton(doc, 'sp-toggle', 'Play', 'play');
  const next = iconButton(doc, 'sp-next', 'Next', 'next');
  const controls = element(doc, 'div', 'sp-controls');
  controls.append(previous, toggle, next);
  const message = element(doc, 'p', 'sp-message', { role: 'status' });
  host.replaceChildren(audio, now, slider, times, controls, message);
  host.hidden = false;

  /** The slider is being dragged: show where it is, seek only on release (one range request, not fifty). */
  let scrubbing = false;
  let shownIcon = 'play';

  function render(state: SharePlayerState) {
    const track = player.tracks[state.index];
    title.textContent = track ? track.title : 'Tap a track to play';
    detail.textContent = track ? (track.artist ?? data.artist ?? '') : '';
    trackButtons.forEach((button) => {
      if (Number(button.dataset.index) === state.index) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
      button.toggleAttribute('data-playing', Number(button.dataset.index) === state.index && !state.paused);
    });
    const icon = state.paused ? 'play' : 'pause';
    if (icon !== shownIcon) {
      shownIcon = icon;
      toggle.setAttribute('aria-label', state.paused ? 'Play' : 'Pause');
      toggle.querySelector('path')!.setAttribute('d', ICONS[icon]);
    }
    previous.disabled = state.index < 0;
    next.disabled = state.index + 1 >= player.tracks.length;
    slider.disabled = state.index < 0 || state.duration <= 0;
    slider.max = String(state.duration);
    const time = scrubbing ? Number(slider.value) : state.time;
    if (!scrubbing) slider.value = String(state.time);
    slider.style.setProperty('--fill', `${state.duration > 0 ? Math.min(100, (100 * time) / state.duration) : 0}%`);
    slider.setAttribute('aria-valuetext', `${clock(time)} of ${clock(state.duration)}`);
    elapsed.textContent = clock(time);
    remaining.textContent = `-${clock(Math.max(0, state.duration - time))}`;
    message.textContent = state.error ?? (state.blocked ? 'Tap play to start.' : '');
  }

  for (const button of trackButtons) {
    button.addEventListener('click', () => {
      const track = trackOf(button);
      const cannot = track && source?.cannotPlayMessage(track);
      // A track this device cannot play: the tap explains instead of starting another one.
      if (cannot) player.tell(cannot);
      else player.playTrack(Number(button.dataset.index));
    });
  }
  // The decision per format, after the page is up: taps before it play the originals.
  void import('./formats.js').then(
    ({ createShareSource }) => {
      source = createShareSource({ audio, data, storage: options.storage === undefined ? pageStorage() : options.storage, fetch: options.fetch });
      for (const button of trackButtons) {
        const track = trackOf(button);
        if (!track || !source.cannotPlay(track)) continue;
        button.dataset.unplayable = '';
        const note = element(doc, 'span', 'share-note');
        note.textContent = 'Cannot play on this device';
        button.querySelector('.share-name')?.append(note);
      }
    },
    // The chunk did not load (the server went away): every track tries its original.
    () => {},
  );
  toggle.addEventListener('click', player.toggle);
  previous.addEventListener('click', player.previous);
  next.addEventListener('click', player.next);
  slider.addEventListener('input', () => {
    scrubbing = true;
    render(player.state());
  });
  slider.addEventListener('change', () => {
    scrubbing = false;
    player.seek(Number(slider.value));
  });
  player.onChange(render);
  // Back from the background (a locked phone, another app): show where the element is now.
  doc.addEventListener('visibilitychange', () => render(player.state()));
  render(player.state());
  return player;
}
