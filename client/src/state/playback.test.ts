/**
 * The app's player over the real track source (./playback.ts): originals or MP3 per format,
 * the fallback when an original turns out unplayable, Data saver, the next tracks prepared ahead,
 * and what is said when a track cannot play. The server is a fake fetch; the element is
 * happy-dom's, answering `canPlayType()` from a table.
 */
import { describe, expect, it, vi } from 'vitest';
import { apiPaths, type Track, type TranscodingStatus } from '@musicsharer/shared';
import { fakeAudio, fakeFetch, flush, headersOf, makeTrack, reply, type FakeRequest, type FakeRoute } from '../../test/fixtures.js';
import { createPlayback } from './playback.js';
import { createPlayer } from './player.js';
import { DATA_SAVER_KEY, PLAYBACK_MEMORY_KEY } from './playability.js';

const CHROMIUM_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const AVAILABLE: TranscodingStatus = { available: true, reason: null, bitrates: [96, 128, 192, 256, 320], defaultBitrate: 192 };
const NO_FFMPEG: TranscodingStatus = { available: false, reason: 'this server has no ffmpeg: install ffmpeg', bitrates: [], defaultBitrate: 192 };

const mp3 = (n: number, bitrate = 192_000) => makeTrack(n, { bitrate });
const wma = (n: number) => makeTrack(n, { title: `Rip ${n}`, mimeType: 'audio/x-ms-wma', codec: 'Windows Media Audio V8', bitrate: 64_000 });
/** A format this browser claims and cannot play (the fallback's case). */
const alac = (n: number) => makeTrack(n, { title: `Lossless ${n}`, mimeType: 'audio/mp4', codec: 'ALAC', bitrate: 900_000 });

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (key: string) => data.get(key) ?? null, setItem: (key: string, value: string) => void data.set(key, value), data };
}

/** A `Range: bytes=0-1` request (a prepare-ahead or a probe after a failure). */
const isProbe = (request: FakeRequest) => new Headers(headersOf(request)).get('range') === 'bytes=0-1';

/** Every stream answers 206 unless a route says otherwise; `/api/transcoding` answers `status`. */
function setup({ status = AVAILABLE, routes = {}, storage = memoryStorage() }: { status?: TranscodingStatus; routes?: Record<string, FakeRoute>; storage?: ReturnType<typeof memoryStorage> } = {}) {
  const fake = fakeAudio();
  // Claims ALAC (as a browser whose framework lists it may), cannot play WMA.
  fake.audio.canPlayType = (type: string) => (type === 'audio/mp4; codecs="alac"' ? 'maybe' : '');
  const streams: Record<string, FakeRoute> = {};
  for (let n = 1; n <= 9; n++) streams[apiPaths.stream(`t${n}`)] = () => reply(206);
  const fetch = fakeFetch({ [apiPaths.transcoding]: status, ...streams, ...routes });
  const playback = createPlayback({ audio: fake.audio, fetch, storage, userAgent: CHROMIUM_UA });
  const messages: string[] = [];
  const player = createPlayer({ audio: fake.audio, mediaSession: null, source: () => playback, onCannotPlay: (m) => messages.push(m) });
  /** The element fails on its src with this MediaError code. */
  const fail = (code: number) => {
    Object.defineProperty(fake.audio, 'error', { value: { code }, configurable: true });
    fake.audio.dispatchEvent(new Event('error'));
  };
  const prepared = () => fetch.requests.filter((r) => isProbe(r)).map((r) => r.url);
  return { ...fake, fetch, playback, player, messages, fail, storage, prepared };
}

const src = (audio: HTMLAudioElement) => audio.getAttribute('src');

describe('the player and the track source', () => {
  it('plays originals this browser can play, and asks for the MP3 form of the others', () => {
    const { audio, player } = setup();
    player.playList([mp3(1), wma(2), alac(3)], 0);
    expect(src(audio)).toBe('/stream/t1');
    player.next();
    expect(src(audio)).toBe('/stream/t2?format=mp3');
    player.next();
    expect(src(audio)).toBe('/stream/t3');
  });

  it('asks the server whether it transcodes only once a track that needs it comes, and once', async () => {
    const { player, fetch, playback } = setup();
    player.playList([mp3(1), mp3(2)], 0);
    player.next();
    expect(fetch.calls).not.toContain(apiPaths.transcoding);
    expect(playback.cannotPlay(wma(3))).toBe(null); // unknown yet: tried
    expect(playback.cannotPlay(wma(4))).toBe(null);
    await vi.waitFor(() => expect(fetch.calls.filter((c) => c === apiPaths.transcoding)).toHaveLength(1));
  });

  describe('"source not supported" on an original', () => {
    it('asks for the MP3 form at the same position, keeps playing, and remembers the format', async () => {
      const { audio, player, fail, log, storage, set } = setup();
      player.playList([alac(1), mp3(2), alac(3)], 0);
      set('readyState', 1);
      player.seek(42);
      fail(4);
      await vi.waitFor(() => expect(src(audio)).toBe('/stream/t1?format=mp3'));
      expect(log.at(-1)).toBe('play /stream/t1?format=mp3');
      expect(player.current.value?.id).toBe('t1');
      expect(player.time.value).toBe(42);
      expect(player.error.value).toBe(null);
      expect(JSON.parse(storage.data.get(PLAYBACK_MEMORY_KEY)!)).toEqual({ 'audio/mp4|ALAC': 'transcode' });

      // The next ALAC track goes straight to MP3, here and on the next page.
      player.next();
      player.next();
      expect(src(audio)).toBe('/stream/t3?format=mp3');
      const again = setup({ storage });
      again.player.playList([alac(5)], 0);
      expect(src(again.audio)).toBe('/stream/t5?format=mp3');
    });

    it('learns nothing when the original itself is not served (a 404 is also "not supported" in Chrome)', async () => {
      const { audio, player, fail, fetch, storage } = setup({ routes: { [apiPaths.stream('t1')]: () => reply(404) } });
      player.playList([alac(1)], 0);
      fail(4);
      await vi.waitFor(() => expect(fetch.requests.some((r) => r.url === '/stream/t1' && isProbe(r))).toBe(true));
      await flush();
      expect(src(audio)).toBe('/stream/t1');
      expect(player.error.value).toContain('Lossless 1');
      expect(storage.data.has(PLAYBACK_MEMORY_KEY)).toBe(false);
    });
  });

  it('a file the server cannot decode (415): "Cannot play this file", and the next track plays', async () => {
    const { audio, player, fail, messages } = setup({ routes: { [apiPaths.stream('t1')]: () => reply(415, { statusCode: 415, error: 'Unsupported Media Type', message: 'ffmpeg cannot decode' }) } });
    player.playList([wma(1), mp3(2)], 0);
    fail(4);
    await vi.waitFor(() => expect(src(audio)).toBe('/stream/t2'));
    expect(messages).toEqual(['Cannot play this file: “Rip 1” (the server cannot decode it)']);
    expect(player.current.value?.id).toBe('t2');
  });

  it('without a transcoder the tracks that need one are passed over with the reason, when advancing too', async () => {
    const { audio, player, playback, messages, fetch } = setup({ status: NO_FFMPEG });
    playback.cannotPlay(wma(2)); // a row showed it: the server is asked
    await vi.waitFor(() => expect(playback.cannotPlay(wma(2))).toBe(NO_FFMPEG.reason));
    player.playList([mp3(1), wma(2), mp3(3)], 0);
    audio.dispatchEvent(new Event('ended'));
    // Synchronously, as a locked phone needs: the WMA is passed over, the next MP3 plays.
    expect(src(audio)).toBe('/stream/t3');
    expect(messages).toEqual([`Cannot play “Rip 2” on this device: ${NO_FFMPEG.reason}`]);
    expect(fetch.calls.some((c) => c.includes('format=mp3'))).toBe(false);

    // Nothing after it: stopped on it, saying why.
    player.playList([mp3(1), wma(2)], 1);
    expect(src(audio)).toBe(null);
    expect(player.current.value?.id).toBe('t2');
    expect(player.paused.value).toBe(true);
    expect(player.error.value).toContain('Cannot play “Rip 2” on this device');
  });

  it('a 503 found on play (the status was not in yet) passes over the track with the server’s reason', async () => {
    const { audio, player, fail, messages } = setup({ status: NO_FFMPEG, routes: { [apiPaths.stream('t1')]: () => reply(503) } });
    player.playList([wma(1), mp3(2)], 0);
    expect(src(audio)).toBe('/stream/t1?format=mp3');
    fail(4);
    await vi.waitFor(() => expect(src(audio)).toBe('/stream/t2'));
    expect(messages).toEqual([`Cannot play “Rip 1” on this device: ${NO_FFMPEG.reason}`]);
  });

  describe('Data saver', () => {
    it('streams tracks above 128 kbit/s as MP3 at 128, the others as they are; transcoded ones at 128', () => {
      const { audio, player, playback, storage } = setup();
      playback.setDataSaver(true);
      expect(storage.data.get(DATA_SAVER_KEY)).toBe('1');
      player.playList([mp3(1, 320_000), mp3(2, 128_000), wma(3), alac(4)], 0);
      expect(src(audio)).toBe('/stream/t1?format=mp3&bitrate=128');
      player.next();
      expect(src(audio)).toBe('/stream/t2');
      player.next();
      expect(src(audio)).toBe('/stream/t3?format=mp3&bitrate=128');
      player.next();
      expect(src(audio)).toBe('/stream/t4?format=mp3&bitrate=128');
      playback.setDataSaver(false);
      player.previous();
      expect(src(audio)).toBe('/stream/t3?format=mp3');
    });

    it('is remembered on the device', () => {
      const { audio, player } = setup({ storage: memoryStorage({ [DATA_SAVER_KEY]: '1' }) });
      player.playList([mp3(1, 320_000)], 0);
      expect(src(audio)).toBe('/stream/t1?format=mp3&bitrate=128');
    });

    it('without a transcoder (503) plays the original from the same position', async () => {
      const { audio, player, playback, fail, set } = setup({ status: NO_FFMPEG, routes: { [apiPaths.stream('t1')]: (url: URL) => reply(url.search ? 503 : 206) } });
      playback.setDataSaver(true);
      player.playList([mp3(1, 320_000)], 0);
      set('readyState', 1);
      player.seek(30);
      fail(4);
      await vi.waitFor(() => expect(src(audio)).toBe('/stream/t1'));
      expect(player.time.value).toBe(30);
      expect(player.error.value).toBe(null);
    });
  });

  describe('the next two tracks are prepared ahead', () => {
    it('a bytes=0-1 request for the exact URL of each that will be transcoded, not for originals, not twice in a row', () => {
      const { player, prepared, playback } = setup();
      const queue: Track[] = [mp3(1), mp3(2), wma(3), wma(4), mp3(5, 320_000), wma(6)];
      player.playList(queue, 0);
      expect(prepared()).toEqual(['/stream/t3?format=mp3']);
      player.next();
      expect(prepared()).toEqual(['/stream/t3?format=mp3', '/stream/t4?format=mp3']);
      playback.setDataSaver(true);
      player.next();
      // t4's URL is now another (128 kbit/s); the 320 kbit/s MP3 is transcoded too.
      expect(prepared()).toEqual(['/stream/t3?format=mp3', '/stream/t4?format=mp3', '/stream/t4?format=mp3&bitrate=128', '/stream/t5?format=mp3&bitrate=128']);
    });

    it('failed preparations are ignored', async () => {
      const { player, audio, prepared } = setup({ routes: { [apiPaths.stream('t2')]: () => {
          throw new TypeError('offline');
        } } });
      player.playList([mp3(1), wma(2)], 0);
      expect(prepared()).toEqual(['/stream/t2?format=mp3']);
      await flush();
      expect(src(audio)).toBe('/stream/t1');
      expect(player.error.value).toBe(null);
    });
  });
});
