/**
 * The musicsharer client as a user sees it, through the DOM contract only: navigation buttons,
 * the search box, album cards, track rows (`button[data-track-id]`), the one `<audio>`, the
 * mini and full players, the Devices view.
 */
import type { Track } from '@musicsharer/shared';
import type { E2EPage, WaitOptions } from './browsers.js';

export interface AudioState {
  src: string;
  currentTime: number;
  duration: number;
  paused: boolean;
  ended: boolean;
  readyState: number;
  error: number | null;
}

const AUDIO_STATE = `() => {
  const audio = document.querySelector('audio');
  if (!audio) return null;
  return { src: audio.src, currentTime: audio.currentTime, duration: audio.duration, paused: audio.paused, ended: audio.ended, readyState: audio.readyState, error: audio.error ? audio.error.code : null };
}`;

/** Page-side: the audio element plays `src` (any src when null), past `after` seconds. */
const PLAYING_PAST = `(src, after) => {
  const audio = document.querySelector('audio');
  if (!audio || audio.paused || audio.error) return null;
  if (src !== null && audio.src !== src) return null;
  return audio.currentTime > after ? { src: audio.src, currentTime: audio.currentTime } : null;
}`;

/** Generous: two browsers share two CPU cores with other suites. */
const MEDIA_TIMEOUT = 15_000;

export async function audioState(page: E2EPage): Promise<AudioState> {
  const state = await page.run<AudioState | null>(AUDIO_STATE);
  if (!state) throw new Error(`${page.browser}: no <audio> element on the page`);
  return state;
}

/** The absolute URL the `<audio>` element's `src` reports for a track. */
export function streamUrl(base: string, track: Track): string {
  return new URL(track.url, `${base}/`).href;
}

/**
 * Waits until the audio element has `src` (when given) and is playing, then until its time has
 * advanced by more than `by` seconds from where it was first seen playing: the audio plays.
 */
export async function expectTimeAdvances(
  page: E2EPage,
  options: { src?: string; by?: number; what?: string } & WaitOptions = {},
): Promise<{ from: number; to: number }> {
  const src = options.src ?? null;
  const what = options.what ?? (src ? `${src} to play` : 'the audio to play');
  const timeoutMs = options.timeoutMs ?? MEDIA_TIMEOUT;
  const started = await page.waitFor<{ currentTime: number }>(`${what} (playing)`, PLAYING_PAST, [src, -1], { timeoutMs });
  const from = started.currentTime;
  const by = options.by ?? 0.5;
  const advanced = await page.waitFor<{ currentTime: number }>(`${what} (time past ${(from + by).toFixed(2)} s)`, PLAYING_PAST, [src, from + by], {
    timeoutMs,
  });
  return { from, to: advanced.currentTime };
}

/** Waits until the audio element plays `src` at or past `after` seconds. */
export function waitForPlayingPast(page: E2EPage, src: string | null, after: number, what: string, options: WaitOptions = {}) {
  return page.waitFor<{ src: string; currentTime: number }>(what, PLAYING_PAST, [src, after], { timeoutMs: MEDIA_TIMEOUT, ...options });
}

/** Opens the app (fresh storage per page), optionally under a device name, and waits for the shell. */
export async function openApp(page: E2EPage, base: string, options: { deviceName?: string } = {}): Promise<void> {
  await page.goto(`${base}/`, options.deviceName ? { localStorage: { 'musicsharer.deviceName': options.deviceName } } : {});
  await page.waitFor('the search box', `() => !!document.querySelector('input[type="search"][aria-label="Search"]')`);
}

export function navigate(page: E2EPage, view: 'Albums' | 'Artists' | 'Tracks' | 'Playlists' | 'Devices'): Promise<void> {
  return page.tap({ css: 'button', name: view });
}

export function openAlbum(page: E2EPage, title: string): Promise<void> {
  return page.tap({ css: 'button:not([data-track-id])', text: title });
}

export function tapTrack(page: E2EPage, title: string): Promise<void> {
  return page.tap({ css: 'button[data-track-id]', text: title });
}

export function search(page: E2EPage, query: string): Promise<void> {
  return page.type({ css: 'input[type="search"][aria-label="Search"]' }, query);
}

/** A user dragging a range slider's thumb to `value`: the value moves (input), then is let go (change). */
export function dragSlider(page: E2EPage, css: string, value: number): Promise<unknown> {
  return page.run(
    `(css, value) => { const s = document.querySelector(css); s.value = String(value);
      s.dispatchEvent(new Event('input', { bubbles: true })); s.dispatchEvent(new Event('change', { bubbles: true })); }`,
    css,
    value,
  );
}

/** Waits until the element's trimmed text satisfies `test` (a RegExp source, case-sensitive). */
export function waitForText(page: E2EPage, css: string, pattern: RegExp, options: WaitOptions = {}): Promise<string> {
  return page.waitFor<string>(
    `${css} to read ${pattern}`,
    `(css, source, flags) => { const el = document.querySelector(css); const text = el ? (el.textContent || '').trim() : ''; return new RegExp(source, flags).test(text) ? text : null; }`,
    [css, pattern.source, pattern.flags],
    { timeoutMs: MEDIA_TIMEOUT, ...options },
  );
}

/** The full player's seek slider. */
export const SEEK_SLIDER = 'input[type="range"][aria-label="Seek"]';

/** Waits until the full player's slider spans `seconds` (within 2 s); its maximum. */
export function waitForSliderSpan(page: E2EPage, seconds: number): Promise<number> {
  return page.waitFor<number>(
    `the seek slider to span ${seconds} s`,
    `(css, seconds) => { const s = document.querySelector(css); return s && Math.abs(Number(s.max) - seconds) < 2 ? Number(s.max) : null; }`,
    [SEEK_SLIDER, seconds],
  );
}

/**
 * Drags the full player's slider to `to` seconds, then waits until `src` plays from there (less
 * than 10 s past it) and on (half a second further). Returns where it was last seen.
 */
export async function seekAndPlayOn(page: E2EPage, src: string, to: number, options: WaitOptions = {}): Promise<number> {
  await dragSlider(page, SEEK_SLIDER, to);
  const landed = await waitForPlayingPast(page, src, to - 1e-3, `playback at ${to} s after the seek`, options);
  if (landed.currentTime >= to + 10) throw new Error(`${page.browser}: playback resumed at ${landed.currentTime} s, not near ${to} s`);
  const later = await waitForPlayingPast(page, src, landed.currentTime + 0.5, `playback to continue past ${to} s`, options);
  return later.currentTime;
}
