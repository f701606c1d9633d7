/**
 * Where a player gets a track's audio from: the original file or its MP3 form (the decision is
 * ./playability.ts), what to say when neither can play here, the next tracks' first transcoded
 * chunk made ahead, and what to do when the element fails. One implementation for the app's
 * player (./playback.ts adds the server's `GET /api/transcoding` and Data saver as signals) and
 * the share page's (../share/formats.ts, from the page's data). Both load it after their first
 * screen is up.
 */
import { playbackUrl, probe, recoveryAfter, type Playability, type TrackFormat } from './playability.js';

/** What a player does with a failure once its cause is known. */
export interface Recovering {
  /** Still on the failed track and URL (the user did not move on meanwhile). */
  stillCurrent(): boolean;
  /** Loads the same track again at the same position (its URL has changed). */
  retry(): void;
  /** Says why the track cannot play and goes on to the next. */
  passOver(message: string): void;
}

export interface TrackSource<T extends TrackFormat> {
  /** The URL to give the element: the original when the server cannot transcode. */
  urlFor(track: T): string;
  /** Why this device cannot play `track` (its format needs a transcoder the server lacks), or null. */
  cannotPlay(track: T): string | null;
  /** The same as the sentence a tap or the player shows ("Cannot play “…” on this device: …"), or null. */
  cannotPlayMessage(track: T): string | null;
  /** A track started: a `bytes=0-1` request for each of `next` that will be transcoded (the server encodes its first chunk). */
  prepare(next: readonly T[]): void;
  /**
   * The element failed on `src` (error `code`): a probe of the same URL tells why. An original
   * this device cannot play is asked for again as MP3 at the same position (its format
   * remembered); a file the server cannot decode (415) is passed over; without a transcoder
   * (503) the track plays its original when it can (Data saver) or is passed over, saying why.
   */
  recover(track: T, src: string, code: number | undefined, on: Recovering): void;
}

/** What the server said about transcoding: null while unknown. */
export type TranscoderState = { available: boolean; reason: string | null } | null;

export interface TrackSourceOptions {
  playability: Playability;
  dataSaver(): boolean;
  /** The server's answer; asking for it when unknown is this function's business (lazily). */
  transcoder(): TranscoderState;
  /** A transcoded request got 503: find out again (resolves once `transcoder()` says). */
  transcoderFailed(): Promise<void>;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
}

/** Said when the server did not say why it cannot transcode. */
export const NO_TRANSCODER = 'the server cannot convert this format (no ffmpeg).';

export function createTrackSource<T extends TrackFormat & { title: string }>(options: TrackSourceOptions): TrackSource<T> {
  const { playability, fetch } = options;
  /** The URLs prepared last time: not asked for again when the queue moved on by one. */
  let prepared: string[] = [];

  const canTranscode = () => options.transcoder()?.available !== false;

  function urlFor(track: T): string {
    const url = playbackUrl(track, playability.decide(track), options.dataSaver());
    return url === track.url || canTranscode() ? url : track.url;
  }

  function cannotPlay(track: T): string | null {
    if (playability.decide(track) === 'original' || canTranscode()) return null;
    return options.transcoder()?.reason ?? NO_TRANSCODER;
  }

  return {
    urlFor,
    cannotPlay,
    cannotPlayMessage(track) {
      const reason = cannotPlay(track);
      return reason === null ? null : `Cannot play “${track.title}” on this device: ${reason}`;
    },
    prepare(next) {
      const urls = next.filter((track) => !cannotPlay(track) && urlFor(track) !== track.url).map(urlFor);
      for (const url of urls) if (!prepared.includes(url)) void probe(fetch, url);
      prepared = urls;
    },
    recover(track, src, code, on) {
      void probe(fetch, src).then(async (status) => {
        if (!on.stillCurrent()) return;
        const recovery = recoveryAfter({ original: src === track.url, code, status });
        if (recovery === 'undecodable') return on.passOver(`Cannot play this file: “${track.title}” (the server cannot decode it)`);
        if (recovery === 'transcode') playability.learnUnsupported(track);
        else if (recovery === 'no-transcoder') await options.transcoderFailed();
        else return;
        // Only when that changed what would be asked for: never the same failing URL again.
        if (on.stillCurrent() && (urlFor(track) !== src || cannotPlay(track))) on.retry();
      });
    },
  };
}
