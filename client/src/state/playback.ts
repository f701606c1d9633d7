/**
 * The app's track source (./track-source.ts) with its settings as signals: Data saver
 * (remembered on this device) and whether the server can transcode (`GET /api/transcoding`,
 * asked once, only when a track that needs it is first shown or played). In a chunk of its own:
 * app-state.ts asks for it at start, long before the first tap can need it.
 */
import { signal } from '@preact/signals';
import { apiPaths, type Track, type TranscodingStatus } from '@musicsharer/shared';
import { getJson, type Fetch } from './api.js';
import { createPlayability, readDataSaver, writeDataSaver } from './playability.js';
import { createTrackSource, type TrackSource } from './track-source.js';

export interface PlaybackOptions {
  audio: HTMLAudioElement;
  fetch: Fetch;
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  userAgent?: string;
}

export interface PlaybackModel extends TrackSource<Track> {
  dataSaver: { readonly value: boolean };
  setDataSaver(on: boolean): void;
}

export function createPlayback({ audio, fetch, storage, userAgent = navigator.userAgent }: PlaybackOptions): PlaybackModel {
  const dataSaver = signal(readDataSaver(storage));
  /** The server's answer, null until it came. Read in renders: a row updates when it comes. */
  const server = signal<TranscodingStatus | null>(null);
  let asking: Promise<void> | null = null;

  /** Asks the server whether it transcodes, once (again after a failed ask, or when told to). */
  function askServer(): Promise<void> {
    asking ??= getJson<TranscodingStatus>(fetch, apiPaths.transcoding).then(
      (status) => void (server.value = status),
      () => void (asking = null),
    );
    return asking;
  }

  const source = createTrackSource<Track>({
    playability: createPlayability({ canPlayType: (type) => audio.canPlayType(type), userAgent, storage }),
    dataSaver: () => dataSaver.peek(),
    transcoder() {
      const status = server.value;
      if (!status) void askServer();
      return status;
    },
    transcoderFailed() {
      asking = null;
      return askServer();
    },
    fetch,
  });
  return {
    ...source,
    dataSaver,
    setDataSaver(on) {
      dataSaver.value = on;
      writeDataSaver(storage, on);
    },
  };
}
