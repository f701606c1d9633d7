import { describe, expect, it } from 'vitest';
import {
  appleWebKitVersion,
  createPlayability,
  decidePlayback,
  DATA_SAVER_KEY,
  PLAYBACK_MEMORY_KEY,
  playbackUrl,
  preciseType,
  readDataSaver,
  recoveryAfter,
  writeDataSaver,
  type Playback,
} from './playability.js';

const UA = {
  iphone17: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  iphone18_3: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Mobile/15E148 Safari/604.1',
  iphone18_4: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.4 Mobile/15E148 Safari/604.1',
  // iOS 26 freezes the system version in the agent at 18_6.
  iphone26: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Mobile/15E148 Safari/604.1',
  chromeOnIphone17: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1',
  ipad16: 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  // iPadOS asks for desktop sites with a Mac Safari agent.
  ipadDesktop17: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  macSafari18_4: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.4 Safari/605.1.15',
  macChrome: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  linuxChromium: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  webkitGtk: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
  firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
};

/** `canPlayType()` as a browser answers it: the types listed, '' for any other. */
const answers =
  (table: Record<string, 'maybe' | 'probably'>) =>
  (type: string): string =>
    table[type] ?? '';

const SAFARI = answers({
  'audio/mpeg': 'maybe',
  'audio/mp4; codecs="mp4a.40.2"': 'probably',
  'audio/mp4; codecs="alac"': 'maybe',
  'audio/flac': 'maybe',
  'audio/aiff': 'maybe',
  'audio/wav; codecs="1"': 'probably',
  // Before 18.4 too: the claim the decision corrects.
  'audio/ogg; codecs="vorbis"': 'maybe',
  'audio/ogg; codecs="opus"': 'maybe',
});
const CHROMIUM = answers({
  'audio/mpeg': 'probably',
  'audio/mp4; codecs="mp4a.40.2"': 'probably',
  'audio/flac': 'probably',
  'audio/wav; codecs="1"': 'maybe',
  'audio/ogg; codecs="vorbis"': 'probably',
  'audio/ogg; codecs="opus"': 'probably',
  'audio/webm; codecs="opus"': 'probably',
});
/** A media framework (GStreamer) that says "maybe" to anything. */
const EVERYTHING = () => 'maybe';
const NOTHING = () => '';

const f = (mimeType: string, codec: string | null) => ({ mimeType, codec });
const VORBIS = f('audio/ogg', 'Vorbis I');
const OPUS = f('audio/ogg', 'Opus');
const ALAC = f('audio/mp4', 'ALAC');
const AAC = f('audio/mp4', 'AAC');
const FLAC = f('audio/flac', 'FLAC');
const AIFF = f('audio/aiff', 'PCM');
const WMA = f('audio/x-ms-wma', 'Windows Media Audio V8');
const WAVPACK = f('audio/x-wavpack', 'WavPack');
const MP3 = f('audio/mpeg', 'MPEG 1 Layer 3');

describe('decidePlayback', () => {
  const table: [string, string, (type: string) => string, { mimeType: string; codec: string | null }, Playback][] = [
    ['iOS 17 Safari, Ogg Vorbis ("maybe", cannot)', UA.iphone17, SAFARI, VORBIS, 'transcode'],
    ['iOS 17 Safari, Ogg Opus ("maybe", cannot)', UA.iphone17, SAFARI, OPUS, 'transcode'],
    ['iOS 18.3 Safari, Ogg Opus', UA.iphone18_3, SAFARI, OPUS, 'transcode'],
    ['iOS 18.4 Safari, Ogg Opus (plays it)', UA.iphone18_4, SAFARI, OPUS, 'original'],
    ['iOS 26 Safari, Ogg Vorbis', UA.iphone26, SAFARI, VORBIS, 'original'],
    ['Chrome on iOS 17 (WebKit), Ogg Vorbis', UA.chromeOnIphone17, SAFARI, VORBIS, 'transcode'],
    ['iPadOS 16, Ogg Vorbis', UA.ipad16, SAFARI, VORBIS, 'transcode'],
    ['iPad in desktop mode (Safari 17.5), Ogg Opus', UA.ipadDesktop17, SAFARI, OPUS, 'transcode'],
    ['Mac Safari 18.4, Ogg Opus', UA.macSafari18_4, SAFARI, OPUS, 'original'],
    ['iOS 17 Safari, ALAC', UA.iphone17, SAFARI, ALAC, 'original'],
    ['iOS 17 Safari, FLAC', UA.iphone17, SAFARI, FLAC, 'original'],
    ['iOS 17 Safari, AIFF', UA.iphone17, SAFARI, AIFF, 'original'],
    ['iOS 17 Safari, WMA', UA.iphone17, SAFARI, WMA, 'transcode'],
    ['Chromium, Ogg Vorbis', UA.linuxChromium, CHROMIUM, VORBIS, 'original'],
    ['Chromium on a Mac, Ogg Opus', UA.macChrome, CHROMIUM, OPUS, 'original'],
    ['Chromium, ALAC (no answer)', UA.linuxChromium, CHROMIUM, ALAC, 'transcode'],
    ['Chromium, AAC', UA.linuxChromium, CHROMIUM, AAC, 'original'],
    ['Chromium, AIFF (no answer)', UA.linuxChromium, CHROMIUM, AIFF, 'transcode'],
    ['Chromium, WMA', UA.linuxChromium, CHROMIUM, WMA, 'transcode'],
    ['WebKitGTK says maybe to all: Ogg plays', UA.webkitGtk, EVERYTHING, VORBIS, 'original'],
    ['WebKitGTK says maybe to all: WMA still transcoded', UA.webkitGtk, EVERYTHING, WMA, 'transcode'],
    ['WebKitGTK says maybe to all: WavPack still transcoded', UA.webkitGtk, EVERYTHING, WAVPACK, 'transcode'],
    ['any browser, Musepack', UA.firefox, EVERYTHING, f('audio/x-musepack', 'Musepack, SV8'), 'transcode'],
    ['any browser, DSD', UA.firefox, EVERYTHING, f('audio/x-dsf', 'DSD'), 'transcode'],
    ['WavPack inside Matroska', UA.firefox, EVERYTHING, f('audio/x-matroska', 'WAVPACK4'), 'transcode'],
    ['MP3 even when nothing is claimed (it is what transcoding makes)', UA.firefox, NOTHING, MP3, 'original'],
    ['an unknown type is tried as it is', UA.iphone17, NOTHING, f('', null), 'original'],
  ];
  it.each(table)('%s', (_label, userAgent, canPlayType, format, expected) => {
    expect(decidePlayback(format, canPlayType, userAgent)).toBe(expected);
  });
});

describe('preciseType', () => {
  it.each([
    ['audio/ogg', 'Vorbis I', 'audio/ogg; codecs="vorbis"'],
    ['audio/ogg', 'Opus', 'audio/ogg; codecs="opus"'],
    ['audio/ogg', 'FLAC', 'audio/ogg; codecs="flac"'],
    ['audio/mp4', 'ALAC', 'audio/mp4; codecs="alac"'],
    ['audio/mp4', 'AAC', 'audio/mp4; codecs="mp4a.40.2"'],
    ['audio/webm', 'OPUS', 'audio/webm; codecs="opus"'],
    ['audio/wav', 'PCM', 'audio/wav; codecs="1"'],
    ['audio/flac', 'FLAC', 'audio/flac'],
    ['audio/x-ms-wma', 'Windows Media Audio V8', 'audio/x-ms-wma'],
    ['audio/ogg', null, 'audio/ogg'],
    ['audio/mp4', 'something new', 'audio/mp4'],
  ])('%s + %s -> %s', (mimeType, codec, expected) => {
    expect(preciseType(mimeType, codec)).toBe(expected);
  });
});

describe('appleWebKitVersion', () => {
  it.each([
    [UA.iphone17, [17, 4]],
    [UA.chromeOnIphone17, [17, 2]],
    [UA.ipad16, [16, 6]],
    [UA.ipadDesktop17, [17, 5]],
    [UA.macSafari18_4, [18, 4]],
    [UA.macChrome, null],
    [UA.linuxChromium, null],
    [UA.webkitGtk, null],
    [UA.firefox, null],
  ])('%s', (userAgent, expected) => {
    expect(appleWebKitVersion(userAgent)).toEqual(expected);
  });
});

describe('playbackUrl (Data saver)', () => {
  const track = (bitrate: number | null) => ({ ...FLAC, bitrate, url: '/stream/t1' });
  it.each([
    ['original, Data saver off', track(900_000), 'original', false, '/stream/t1'],
    ['transcoded, Data saver off: the default bitrate', track(900_000), 'transcode', false, '/stream/t1?format=mp3'],
    ['original above 128 kbit/s, Data saver on: MP3 at 128', track(900_000), 'original', true, '/stream/t1?format=mp3&bitrate=128'],
    ['original at 128 kbit/s, Data saver on: as it is', track(128_000), 'original', true, '/stream/t1'],
    ['original at 96 kbit/s, Data saver on: as it is', track(96_000), 'original', true, '/stream/t1'],
    ['original of unknown bitrate, Data saver on: as it is', track(null), 'original', true, '/stream/t1'],
    ['transcoded, Data saver on: 128 instead of the default', track(64_000), 'transcode', true, '/stream/t1?format=mp3&bitrate=128'],
  ] as const)('%s', (_label, format, playback, dataSaver, expected) => {
    expect(playbackUrl(format, playback, dataSaver)).toBe(expected);
  });
});

/** An in-memory localStorage. */
function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (key: string) => data.get(key) ?? null, setItem: (key: string, value: string) => void data.set(key, value), data };
}

describe('createPlayability: remembering', () => {
  it('a format that failed here is transcoded from then on, also on the next page', () => {
    const storage = memoryStorage();
    const first = createPlayability({ canPlayType: EVERYTHING, userAgent: UA.firefox, storage });
    expect(first.decide(ALAC)).toBe('original');
    expect(first.learnUnsupported(ALAC)).toBe(true);
    expect(first.decide(ALAC)).toBe('transcode');
    expect(first.decide(AAC)).toBe('original'); // same container, other codec
    expect(JSON.parse(storage.data.get(PLAYBACK_MEMORY_KEY)!)).toEqual({ 'audio/mp4|ALAC': 'transcode' });

    const nextPage = createPlayability({ canPlayType: EVERYTHING, userAgent: UA.firefox, storage });
    expect(nextPage.decide(ALAC)).toBe('transcode');
  });

  it('never learns to transcode MP3 or an unknown type (a broken file is not a format)', () => {
    const storage = memoryStorage();
    const playability = createPlayability({ canPlayType: EVERYTHING, userAgent: UA.firefox, storage });
    expect(playability.learnUnsupported(MP3)).toBe(false);
    expect(playability.learnUnsupported(f('', null))).toBe(false);
    expect(playability.decide(MP3)).toBe('original');
    expect(storage.data.has(PLAYBACK_MEMORY_KEY)).toBe(false);
  });

  it('survives storage that throws or holds garbage', () => {
    const throwing = {
      getItem: () => {
        throw new Error('blocked');
      },
      setItem: () => {
        throw new Error('quota');
      },
    };
    const playability = createPlayability({ canPlayType: EVERYTHING, userAgent: UA.firefox, storage: throwing });
    expect(playability.learnUnsupported(ALAC)).toBe(true);
    expect(playability.decide(ALAC)).toBe('transcode'); // for this page at least
    const garbage = createPlayability({ canPlayType: EVERYTHING, userAgent: UA.firefox, storage: memoryStorage({ [PLAYBACK_MEMORY_KEY]: '{nope' }) });
    expect(garbage.decide(ALAC)).toBe('original');
    expect(readDataSaver(throwing)).toBe(false);
  });

  it('Data saver is remembered on the device', () => {
    const storage = memoryStorage();
    expect(readDataSaver(storage)).toBe(false);
    writeDataSaver(storage, true);
    expect(storage.data.get(DATA_SAVER_KEY)).toBe('1');
    expect(readDataSaver(storage)).toBe(true);
    writeDataSaver(storage, false);
    expect(readDataSaver(storage)).toBe(false);
  });
});

describe('recoveryAfter', () => {
  it.each([
    ['an original served fine, "source not supported": transcode', true, 4, 206, 'transcode'],
    ['an original served fine, a decode error: nothing to learn', true, 3, 206, 'failed'],
    ['an original that is not there (Chrome says 4 for a 404 too)', true, 4, 404, 'failed'],
    ['an original, network down', true, 4, 0, 'failed'],
    ['MP3 form: ffmpeg cannot decode the file', false, 4, 415, 'undecodable'],
    ['MP3 form: the server has no ffmpeg', false, 4, 503, 'no-transcoder'],
    ['MP3 form served fine', false, 3, 206, 'failed'],
  ] as const)('%s', (_label, original, code, status, expected) => {
    expect(recoveryAfter({ original, code, status })).toBe(expected);
  });
});
