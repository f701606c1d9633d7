/**
 * The share page's track source: the app's decision and recovery (../state/track-source.ts)
 * over the page's data. `transcoding` says whether the server can make MP3; a 503 on the way
 * says it no longer can. Loaded after the page is up (view.ts), in a chunk of its own: the
 * page's first script stays small, and the first tap comes later.
 */
import type { SharePageData, SharePageTrack } from '@musicsharer/shared';
import { createPlayability, readDataSaver } from '../state/playability.js';
import { createTrackSource, NO_TRANSCODER, type TrackSource } from '../state/track-source.js';

export interface ShareSourceOptions {
  audio: HTMLAudioElement;
  data: Pick<SharePageData, 'transcoding'>;
  /** localStorage when it can be had: the formats this device failed on, Data saver. */
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  userAgent?: string;
}

export function createShareSource({ audio, data, storage, fetch = (url, init) => globalThis.fetch(url, init), userAgent = navigator.userAgent }: ShareSourceOptions): TrackSource<SharePageTrack> {
  let available = data.transcoding;
  return createTrackSource<SharePageTrack>({
    playability: createPlayability({ canPlayType: (type) => audio.canPlayType(type), userAgent, storage }),
    dataSaver: () => readDataSaver(storage),
    transcoder: () => ({ available, reason: available ? null : NO_TRANSCODER }),
    transcoderFailed: async () => void (available = false),
    fetch,
  });
}
