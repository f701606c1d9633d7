/**
 * Does this device play a track's original file, or must it ask for the MP3 form
 * (`?format=mp3`, see shared/src/transcode.ts)? Pure decisions plus the little this device
 * remembers. Used by the app's player and, loaded after the page is up, by the share page's:
 * keep it free of Preact and of the app's models.
 *
 *  - The element's `canPlayType()` is asked with the most precise type known (container and
 *    codec), corrected where browsers claim too much: Safari before 18.4 (iOS, iPadOS, macOS)
 *    answers "maybe" for Ogg and cannot play it.
 *  - Formats no browser plays are always transcoded, whatever a media framework behind the
 *    element (WebKitGTK's GStreamer) says.
 *  - A format whose original failed with "source not supported" is remembered on this device
 *    (localStorage, by MIME type and codec): the next such track goes straight to MP3.
 */
import { DATA_SAVER_BITRATE, transcodedUrl } from '@musicsharer/shared';

export type Playback = 'original' | 'transcode';

/** What the decision reads of a track (the library's `Track` and the share page's tracks both fit). */
export interface TrackFormat {
  mimeType: string;
  /** music-metadata's codec name ("Vorbis I", "Opus", "ALAC", "Windows Media Audio V8"...), or null. */
  codec: string | null;
  /** Bits per second, or null when unknown. */
  bitrate: number | null;
  url: string;
}

/** localStorage: formats whose original failed here (`{ "<mime>|<codec>": "transcode" }`). */
export const PLAYBACK_MEMORY_KEY = 'musicsharer.playback';
/** localStorage: Data saver is on when this holds "1". */
export const DATA_SAVER_KEY = 'musicsharer.dataSaver';

/** HTMLMediaError.MEDIA_ERR_SRC_NOT_SUPPORTED. */
export const SRC_NOT_SUPPORTED = 4;

/** No browser plays these containers (a "maybe" for them comes from a plugin that cannot seek them). */
const NEVER_PLAYED = /^audio\/(x-ms-wma|x-wavpack|x-ape|x-musepack|x-dsf|x-dff)$/;
/** Codecs no browser decodes, in whatever container (Matroska holds anything). */
const NEVER_DECODED = /windows media|wavpack|monkey|musepack|dsd/i;

/** RFC 6381 `codecs` values for the codec names music-metadata gives, by what they contain. */
const CODECS: readonly [RegExp, string][] = [
  [/opus/i, 'opus'],
  [/vorbis/i, 'vorbis'],
  [/flac/i, 'flac'],
  [/alac/i, 'alac'],
  [/aac/i, 'mp4a.40.2'],
  [/pcm/i, '1'],
];
/** Containers whose `canPlayType()` answer depends on the codec inside. */
const MULTI_CODEC = /^audio\/(ogg|webm|x-matroska|mp4|wav)$/;

/** The type to ask `canPlayType()` about: e.g. `audio/ogg; codecs="opus"`, `audio/mp4; codecs="alac"`, `audio/flac`. */
export function preciseType(mimeType: string, codec: string | null): string {
  const inside = codec && MULTI_CODEC.test(mimeType) ? CODECS.find(([name]) => name.test(codec))?.[1] : undefined;
  return inside ? `${mimeType}; codecs="${inside}"` : mimeType;
}

/**
 * The WebKit version of Apple's Safari as `[major, minor]`, or null for any other browser. On
 * iOS every browser is WebKit, and its version is the system's (`OS 17_4`); iPadOS asks for
 * desktop sites with a Mac Safari agent (`Macintosh ... Version/17.4 Safari`), which counts as
 * Safari. WebKitGTK (Linux) is not Apple's and plays Ogg.
 */
export function appleWebKitVersion(userAgent: string): [number, number] | null {
  const ios = /\((?:iPhone|iPad|iPod)\b[^)]*? OS (\d+)_(\d+)/.exec(userAgent);
  if (ios) return [Number(ios[1]), Number(ios[2])];
  if (!/Macintosh/.test(userAgent) || /Chrom(e|ium)\/|Firefox\/|Edg\/|OPR\//.test(userAgent)) return null;
  const mac = /Version\/(\d+)\.(\d+).*Safari\//.exec(userAgent);
  return mac ? [Number(mac[1]), Number(mac[2])] : null;
}

/** Safari plays Ogg (Vorbis, Opus) from 18.4 on; before that its "maybe" is wrong. */
function claimsOggWrongly(userAgent: string): boolean {
  const version = appleWebKitVersion(userAgent);
  return version !== null && (version[0] < 18 || (version[0] === 18 && version[1] < 4));
}

/**
 * The decision for one format on this device, before anything failed: 'transcode' when the
 * element says it cannot play the precise type, when the format is one no browser plays, or for
 * Ogg in a Safari older than 18.4. MP3 is always played as it is: it is what transcoding makes.
 * So is a track whose type is not known yet (listen along, before its details came): tried as it is.
 */
export function decidePlayback(format: Pick<TrackFormat, 'mimeType' | 'codec'>, canPlayType: (type: string) => string, userAgent: string): Playback {
  const { mimeType, codec } = format;
  if (mimeType === 'audio/mpeg' || mimeType === '') return 'original';
  if (NEVER_PLAYED.test(mimeType) || (codec && NEVER_DECODED.test(codec))) return 'transcode';
  if (mimeType === 'audio/ogg' && claimsOggWrongly(userAgent)) return 'transcode';
  return canPlayType(preciseType(mimeType, codec)) === '' ? 'transcode' : 'original';
}

/** The memory's key of a format: MIME type and codec. */
export const formatKey = (format: Pick<TrackFormat, 'mimeType' | 'codec'>) => `${format.mimeType}|${format.codec ?? ''}`;

/**
 * The URL to give the element. Data saver: a track above 128 kbit/s is asked for as MP3 at 128
 * (one at or below plays as it is, or transcoded at 128 rather than the default).
 */
export function playbackUrl(track: TrackFormat, playback: Playback, dataSaver: boolean): string {
  if (playback === 'transcode') return transcodedUrl(track.url, dataSaver ? DATA_SAVER_BITRATE : undefined);
  return dataSaver && (track.bitrate ?? 0) > DATA_SAVER_BITRATE * 1000 ? transcodedUrl(track.url, DATA_SAVER_BITRATE) : track.url;
}

type Store = Pick<Storage, 'getItem' | 'setItem'> | null;

/** Storage can throw (private mode, blocked cookies, quota): then nothing is remembered. */
function read(storage: Store, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}
function write(storage: Store, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // Remembered for this page only.
  }
}

export const readDataSaver = (storage: Store) => read(storage, DATA_SAVER_KEY) === '1';
export const writeDataSaver = (storage: Store, on: boolean) => write(storage, DATA_SAVER_KEY, on ? '1' : '0');

export interface Playability {
  /** 'original' or 'transcode' for a track on this device (a remembered failure first). */
  decide(format: Pick<TrackFormat, 'mimeType' | 'codec'>): Playback;
  /**
   * The original failed with "source not supported": transcode this format from now on, here.
   * False (nothing remembered) for MP3, which transcoding cannot help, and for an unknown type.
   */
  learnUnsupported(format: Pick<TrackFormat, 'mimeType' | 'codec'>): boolean;
}

export interface PlayabilityOptions {
  /** Usually the player's element: `audio.canPlayType.bind(audio)`. */
  canPlayType: (type: string) => string;
  userAgent: string;
  storage: Store;
}

/** Decisions per format, computed once per page and remembered across pages when learnt from a failure. */
export function createPlayability({ canPlayType, userAgent, storage }: PlayabilityOptions): Playability {
  let learnt: Record<string, Playback> = {};
  try {
    learnt = (JSON.parse(read(storage, PLAYBACK_MEMORY_KEY) ?? '{}') as Record<string, Playback> | null) ?? {};
  } catch {
    // A damaged entry: start again.
  }
  const decided = new Map<string, Playback>();
  return {
    decide(format) {
      const key = formatKey(format);
      let playback = learnt[key] ?? decided.get(key);
      if (!playback) decided.set(key, (playback = decidePlayback(format, canPlayType, userAgent)));
      return playback;
    },
    learnUnsupported(format) {
      if (format.mimeType === 'audio/mpeg' || format.mimeType === '') return false;
      learnt[formatKey(format)] = 'transcode';
      write(storage, PLAYBACK_MEMORY_KEY, JSON.stringify(learnt));
      return true;
    },
  };
}

/**
 * After the element failed on `src`, what a probe of `src` (`Range: bytes=0-1`; `status` 0
 * when it did not answer) says to do:
 *  - 'transcode': the original is served fine, and the element said "source not supported":
 *    this device cannot play the format; ask for the MP3 form.
 *  - 'undecodable': the server's ffmpeg cannot decode the file (415).
 *  - 'no-transcoder': the server cannot transcode (503).
 *  - 'failed': anything else (the network, a file gone).
 */
export type Recovery = 'transcode' | 'undecodable' | 'no-transcoder' | 'failed';

export function recoveryAfter(failure: { original: boolean; code: number | undefined; status: number }): Recovery {
  const { original, code, status } = failure;
  if (original) return (status === 200 || status === 206) && code === SRC_NOT_SUPPORTED ? 'transcode' : 'failed';
  return status === 415 ? 'undecodable' : status === 503 ? 'no-transcoder' : 'failed';
}

/** Asks for the first two bytes of `url`: the status, or 0 when nothing answered. The body is not read. */
export function probe(fetchFn: (url: string, init: RequestInit) => Promise<Response>, url: string): Promise<number> {
  return fetchFn(url, { headers: { Range: 'bytes=0-1' } }).then(
    (response) => {
      void response.body?.cancel().catch(() => {});
      return response.status;
    },
    () => 0,
  );
}
