import { signal } from '@preact/signals';
import { apiPaths, type Device, type Track } from '@musicsharer/shared';
import type { Fetch } from './api.js';
import { readDeviceName } from './device-name.js';
import { createLibrary } from './library.js';
import { createNavigation } from './navigation.js';
import { createNowPlaying, type SocketFactory } from './now-playing.js';
import { createPlayer } from './player.js';
import { createSearch } from './search.js';

export interface AppStateOptions {
  audio: HTMLAudioElement;
  fetch?: Fetch;
  WebSocket?: SocketFactory;
  mediaSession?: MediaSession | null;
  /** Defaults to the page's own location. */
  socketUrl?: string;
  deviceName?: string;
  /** The window for history, pageshow/online and timers; `null` in tests that want none. */
  window?: Window | null;
}

export function socketUrlFor(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${apiPaths.nowPlayingSocket}`;
}

/** Where another device is now: its reported position plus the time since, if it is playing. */
export function devicePosition(device: Device, now = Date.now()): number {
  const elapsed = device.paused ? 0 : Math.max(0, now - device.updatedAt) / 1000;
  return device.positionSec + elapsed;
}

/** Enough of a track to start playing one we only know from another device's report. */
function trackFromDevice(device: Device & { trackId: string }): Track {
  return {
    id: device.trackId,
    title: device.title ?? 'Unknown track',
    artist: device.artist,
    album: null,
    albumArtist: null,
    trackNo: null,
    discNo: null,
    year: null,
    genre: null,
    duration: null,
    codec: null,
    bitrate: null,
    path: '',
    url: apiPaths.stream(device.trackId),
    mimeType: '',
    albumId: '',
    artistId: '',
    coverUrl: null,
  };
}

/** Composes the small models the components read. */
export function createAppState(options: AppStateOptions) {
  const win = options.window === undefined ? window : options.window;
  const library = createLibrary({ fetch: options.fetch });
  const player = createPlayer({ audio: options.audio, mediaSession: options.mediaSession });
  const search = createSearch(library.index, { onSearch: () => void library.ensureTracks() });
  const navigation = createNavigation(win, { onNavigate: () => search.clear() });
  const nowPlaying = createNowPlaying({
    url: options.socketUrl ?? socketUrlFor(location),
    name: options.deviceName ?? readDeviceName(safeStorage(win), navigator.userAgent, navigator.maxTouchPoints),
    WebSocket: options.WebSocket,
    current: () => (player.current.peek() ? player.snapshot() : null),
    onScan: ({ scanning, done, total }) => library.setScan({ scanning, done, total }),
    onLibraryChanged: () => void library.reload(),
    onWake: () => player.sync(),
    windowTarget: win ?? undefined,
  });
  player.onChange((change) => nowPlaying.report(change !== 'progress'));

  /** Full-screen player and its queue panel. */
  const playerOpen = signal(false);
  const queueOpen = signal(false);

  /** "Listen along": play what another device plays, from where it is. Synchronous, inside the tap. */
  function listenAlong(device: Device) {
    const { trackId } = device;
    if (!trackId) return;
    const known = library.trackById(trackId);
    player.playFrom(known ?? trackFromDevice({ ...device, trackId }), devicePosition(device));
    if (!known) {
      library.track(trackId).then(
        (track) => player.updateTrack(track),
        () => {
          // The stream plays without the details; the title from the device report stays.
        },
      );
    }
  }

  return {
    library,
    player,
    navigation,
    search,
    nowPlaying,
    playerOpen,
    queueOpen,
    listenAlong,
    start() {
      navigation.start();
      // Albums first (the first screen); all tracks a little later when the page is idle, so
      // search is instant without the big download competing with the first render.
      void library.load().then(() => {
        setTimeout(() => {
          if (win && 'requestIdleCallback' in win) win.requestIdleCallback(() => void library.ensureTracks(), { timeout: 3000 });
          else void library.ensureTracks();
        }, 3000);
      });
      void library.refreshScan();
      nowPlaying.start();
    },
    stop() {
      navigation.stop();
      nowPlaying.stop();
    },
  };
}

function safeStorage(win: Window | null): Storage | null {
  try {
    return win?.localStorage ?? null;
  } catch {
    return null;
  }
}

export type AppState = ReturnType<typeof createAppState>;
