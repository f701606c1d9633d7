/**
 * What the app's player asks for each track: the original file or its MP3 form (the decision is
 * ./playability.ts), Data saver, whether the server can transcode at all (`GET
 * /api/transcoding`, asked once, only when a track that needs it is first shown or played), and
 * the next tracks' first transcoded chunk made ahead of time.
 */
import { signal } from '@preact/signals';
import { apiPaths, type Track, type TranscodingStatus } from '@musicsharer/shared';
import { getJson, type Fetch } from './api.js';
import { createPlayability, playbackUrl, probe, readDataSaver, writeDataSaver, type Playability } from './playability.js';

export interface PlaybackOptions {
  audio: HTMLAudioElement;
  fetch: Fetch;
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  userAgent?: string;
}

/** Said when the server did not say why it cannot transcode. */
const NO_TRANSCODER = 'The server cannot convert this format (ffmpeg is missing).';

export function createPlayback({ audio, fetch, storage, userAgent = navigator.userAgent }: PlaybackOptions) {
  const playability: Playability = createPlayability({ canPlayType: (type) => audio.canPlayType(type), userAgent, storage });
  const dataSaver = signal(readDataSaver(storage));
  /** The server's answer, null until it came. */
  const server = signal<TranscodingStatus | null>(null);
  let asking: Promise<void> | null = null;
  /** The URLs prepared last time: not asked for again when the queue moved by one. */
  let prepared: string[] = [];

  /** Asks the server once whether it transcodes (again only after a failed ask). */
  function serverStatus(): Promise<void> {
    asking ??= getJson<TranscodingStatus>(fetch, apiPaths.transcoding).then(
      (status) => void (server.value = status),
      () => void (asking = null),
    );
    return asking;
  }

  /** False only once the server said it cannot transcode; reading it in a render subscribes to that answer. */
  function canTranscode(): boolean {
    const status = server.value;
    if (!status) void serverStatus();
    return status?.available !== false;
  }

  /** The URL the player gives the element for `track`: the original when the server cannot transcode. */
  function urlFor(track: Track): string {
    const url = playbackUrl(track, playability.decide(track), dataSaver.peek());
    return url === track.url || canTranscode() ? url : track.url;
  }

  /**
   * Why this device cannot play `track` ("Cannot play on this device"), or null when it can
   * (or while the server's answer is awaited: then the track is tried).
   */
  function cannotPlay(track: Track): string | null {
    if (playability.decide(track) === 'original' || canTranscode()) return null;
    return server.value?.reason ?? NO_TRANSCODER;
  }

  return {
    dataSaver,
    setDataSaver(on: boolean) {
      dataSaver.value = on;
      writeDataSaver(storage, on);
    },
    urlFor,
    cannotPlay,
    /** After "source not supported" on an original: remembered; true when its MP3 form is worth asking for. */
    learnUnsupported: (track: Track) => playability.learnUnsupported(track),
    /** Waits for the server's answer (after a 503: its reason). */
    serverStatus,
    /** The status of a probe of `url` (`bytes=0-1`), 0 when nothing answered. */
    probe: (url: string) => probe(fetch, url),
    /**
     * A track started: each of the next tracks that will be transcoded gets a `bytes=0-1`
     * request for the exact URL the player will use, so the server encodes its first chunk now.
     */
    prepare(next: readonly Track[]) {
      const urls = next.filter((track) => urlFor(track) !== track.url && !cannotPlay(track)).map(urlFor);
      for (const url of urls) if (!prepared.includes(url)) void probe(fetch, url);
      prepared = urls;
    },
  };
}

export type PlaybackModel = ReturnType<typeof createPlayback>;
