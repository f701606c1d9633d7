/**
 * The share page with tracks this browser cannot play: the same decision and recovery as the
 * app (../state/track-source.ts), from the page's data (`transcoding`).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SharePageData } from '@musicsharer/shared';
import { fakeAudio, fakeFetch, flush, reply, sharePageData, shareTrack, stubMediaMetadata } from '../../test/fixtures.js';
import { clock, mountSharePage } from './view.js';

const wma = (n: number) => shareTrack(n, { title: `Rip ${n}`, mimeType: 'audio/x-ms-wma', codec: 'Windows Media Audio V8', bitrate: 64_000 });
/** Claimed by the element, and then not played (the fallback's case). */
const alac = (n: number) => shareTrack(n, { title: `Lossless ${n}`, mimeType: 'audio/mp4', codec: 'ALAC', bitrate: 900_000 });

/** The page loads its track source after it is up: once that module is in, its import resolves at the next turn. */
async function sourceLoaded() {
  await import('./formats.js');
  await flush();
}

function mount(data: SharePageData) {
  document.body.innerHTML = `<ol>${data.tracks
    .map((t, i) => `<li><button type="button" class="share-track" data-index="${i}"><span class="share-name">${t.title}</span><span class="share-time">${clock(t.duration ?? 0)}</span></button></li>`)
    .join('')}</ol><div id="share-player" hidden></div>`;
  const fake = fakeAudio();
  fake.audio.canPlayType = (type: string) => (type === 'audio/mp4; codecs="alac"' ? 'maybe' : '');
  const fetch = fakeFetch({ '/s/abc/stream/t1': () => reply(206), '/s/abc/stream/t2': () => reply(206), '/s/abc/stream/t3': () => reply(206) });
  const player = mountSharePage(document, data, { audio: fake.audio, mediaSession: null, storage: null, fetch })!;
  const track = (i: number) => document.querySelector<HTMLButtonElement>(`.share-track[data-index="${i}"]`)!;
  const message = () => document.querySelector('.sp-message')!.textContent;
  return { ...fake, player, fetch, track, message };
}

beforeEach(stubMediaMetadata);
afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('share page: formats', () => {
  it('asks for the MP3 form of a track this browser cannot play, and prepares the next transcoded one', async () => {
    const { audio, fetch, track } = mount(sharePageData({ tracks: [shareTrack(1), wma(2), wma(3)] }));
    await sourceLoaded();
    expect(track(1).hasAttribute('data-unplayable')).toBe(false);
    track(1).click();
    expect(audio.getAttribute('src')).toBe('/s/abc/stream/t2?format=mp3');
    expect(fetch.requests.map((r) => r.url)).toEqual(['/s/abc/stream/t3?format=mp3']);
  });

  it('without a transcoder: "Cannot play on this device" on the row; a tap explains; the end of a track skips it', async () => {
    const { audio, track, message, player } = mount(sharePageData({ tracks: [shareTrack(1), wma(2), shareTrack(3)], transcoding: false }));
    await sourceLoaded();
    expect(track(1).textContent).toContain('Cannot play on this device');
    expect(track(1).hasAttribute('data-unplayable')).toBe(true);
    expect(track(0).textContent).not.toContain('Cannot play');

    track(1).click();
    expect(audio.getAttribute('src')).toBe(null);
    expect(message()).toMatch(/^Cannot play “Rip 2” on this device: /);

    player.playTrack(0);
    audio.dispatchEvent(new Event('ended'));
    expect(audio.getAttribute('src')).toBe('/s/abc/stream/t3');
    expect(message()).toMatch(/^Cannot play “Rip 2” on this device/);
  });

  it('"source not supported" on an original: the MP3 form from the same position', async () => {
    const { audio, player, set, message } = mount(sharePageData({ tracks: [alac(1)] }));
    await sourceLoaded();
    player.playTrack(0);
    expect(audio.getAttribute('src')).toBe('/s/abc/stream/t1');
    set('readyState', 1);
    player.seek(25);
    expect(audio.currentTime).toBe(25);
    set('readyState', 0); // a source that failed has nothing
    Object.defineProperty(audio, 'error', { value: { code: 4 }, configurable: true });
    audio.dispatchEvent(new Event('error'));
    await vi.waitFor(() => expect(audio.getAttribute('src')).toBe('/s/abc/stream/t1?format=mp3'));
    expect(player.state()).toMatchObject({ index: 0, error: null });
    expect(message()).toBe('');
    // Applied once the MP3 form has its metadata.
    expect(player.state().time).toBe(25);
    set('currentTime', 0);
    set('readyState', 1);
    audio.dispatchEvent(new Event('loadedmetadata'));
    expect(audio.currentTime).toBe(25);
  });
});
