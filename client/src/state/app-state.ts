import { signal } from '@preact/signals';
import { apiPaths, type Device, type Track } from '@musicsharer/shared';
import type { Fetch } from './api.js';
import { createAuth } from './auth.js';
import { readDeviceName } from './device-name.js';
import { createLibrary } from './library.js';
import { createNavigation } from './navigation.js';
import { createNowPlaying, type SocketFactory } from './now-playing.js';
import type { PlaybackModel } from './playback.js';
import { createPlayer } from './player.js';
import { createSearch } from './search.js';
import type { ShareTarget } from './shares.js';

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
  /** Load the page again once pairing or the password set the session cookie (default: `location.reload()`). */
  reload?: () => void;
}

export interface RowMenuTarget {
  tracks: Track[];
  /** The menu's heading: the track's or the album's title. */
  title: string;
  /** Straight to "Add to playlist" (an album's "Add all to playlist"). */
  addOnly?: boolean;
}

export interface Toast {
  text: string;
  action?: { label: string; run: () => void };
}

/** Routes whose 401 is an answer (a wrong code, a wrong password, "who am I?"), not a lost session. */
const ANSWERING_401 = new Set<string>([apiPaths.pair, apiPaths.login, apiPaths.session]);

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
  const baseFetch: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  /** Every API call goes through here: a 401 anywhere means this browser's session is gone. */
  const apiFetch: Fetch = async (input, init) => {
    const response = await baseFetch(input, init);
    if (response.status === 401 && !ANSWERING_401.has(input.split('?')[0]!)) auth.signOut();
    return response;
  };
  const auth = createAuth({
    fetch: apiFetch,
    // A full load rather than starting in place: index.html preloads /api/albums, and a page
    // that had no session holds that preload's 401, which the library's first fetch would reuse.
    onSignedIn: options.reload ?? (() => win?.location.reload()),
    onSignedOut: () => {
      stopApp();
      player.pause();
    },
  });
  const library = createLibrary({ fetch: apiFetch });
  /**
   * Original or MP3 per track, Data saver: in a chunk of its own, asked for now. The library
   * loads before a row can be tapped; until then a track would play its original.
   */
  const playback = signal<PlaybackModel | null>(null);
  void import('./playback.js').then(
    ({ createPlayback }) => {
      playback.value = createPlayback({ audio: options.audio, fetch: apiFetch, storage: safeStorage(win) });
    },
    // The chunk did not load (the server went away mid-start): every track tries its original.
    () => {},
  );
  const player = createPlayer({
    audio: options.audio,
    mediaSession: options.mediaSession,
    source: () => playback.peek(),
    onCannotPlay: (text) => notify(text, undefined, 6000),
  });
  const search = createSearch(library.index, { onSearch: () => void library.ensureTracks() });
  // The search box follows the URL: `/search?q=` fills it (a reload, back), any other screen empties it.
  const navigation = createNavigation(win, {
    onView: (view) => {
      const query = view.name === 'search' ? view.query : '';
      if (search.query.peek() !== query) search.setQuery(query);
    },
  });
  /** Bumped on `{ type: 'playlists' }` and on library changes: the playlist screens refetch. */
  const playlistsVersion = signal(0);
  const nowPlaying = createNowPlaying({
    url: options.socketUrl ?? socketUrlFor(location),
    name: options.deviceName ?? readDeviceName(safeStorage(win), navigator.userAgent, navigator.maxTouchPoints),
    WebSocket: options.WebSocket,
    current: () => (player.current.peek() ? player.snapshot() : null),
    onScan: ({ scanning, done, total }) => library.setScan({ scanning, done, total }),
    onLibraryChanged: () => {
      void library.reload();
      playlistsVersion.value++;
    },
    onPlaylistsChanged: () => playlistsVersion.value++,
    onWake: () => player.sync(),
    onRevoked: () => auth.signOut(),
    // Is the socket refused for want of a session? With access control off it cannot be.
    onConnectFailed: () => {
      if (auth.info.peek()?.auth !== false) void auth.check();
    },
    windowTarget: win ?? undefined,
  });
  player.onChange((change) => nowPlaying.report(change !== 'progress'));

  /** Full-screen player and its queue panel. */
  const playerOpen = signal(false);
  const queueOpen = signal(false);
  /** What the share sheet is open for (an album's or a track's Share button), or null. */
  const shareTarget = signal<ShareTarget | null>(null);
  /** What a track row's menu ("…", a long press) or an album's "Add all to playlist" is open for. */
  const rowMenu = signal<RowMenuTarget | null>(null);
  /** One line at the bottom for a few seconds ("Added to Road trip"), maybe with an action (Undo). */
  const toast = signal<Toast | null>(null);
  let toastTimer: ReturnType<typeof setTimeout> | undefined;
  function notify(text: string, action?: Toast['action'], ms = 4000) {
    clearTimeout(toastTimer);
    const shown: Toast = { text, action };
    toast.value = shown;
    toastTimer = setTimeout(() => {
      if (toast.peek() === shown) toast.value = null;
    }, ms);
  }

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

  let running = false;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  /** The app proper: library, history, now-playing socket. Only ever with a session (or none needed). */
  function startApp() {
    if (running) return;
    running = true;
    navigation.start();
    // Albums first (the first screen); all tracks a little later when the page is idle, so
    // search is instant without the big download competing with the first render.
    void library.load().then(() => {
      if (!running) return;
      idleTimer = setTimeout(() => {
        if (!running) return;
        if (win && 'requestIdleCallback' in win) win.requestIdleCallback(() => running && void library.ensureTracks(), { timeout: 3000 });
        else void library.ensureTracks();
      }, 3000);
    });
    void library.refreshScan();
    nowPlaying.start();
  }

  function stopApp() {
    running = false;
    clearTimeout(idleTimer);
    navigation.stop();
    nowPlaying.stop();
  }

  return {
    auth,
    library,
    player,
    playback,
    navigation,
    search,
    nowPlaying,
    playerOpen,
    queueOpen,
    shareTarget,
    rowMenu,
    toast,
    notify,
    playlistsVersion,
    listenAlong,
    /** The API's fetch (a 401 signs out), for the parts loaded later (share links). */
    api: apiFetch,
    /**
     * Asks the server for this browser's session first: with one (or with access control off)
     * the app starts; without, the pairing screen shows and nothing of the library is asked for.
     * Resolves once that is decided.
     */
    async start() {
      if ((await auth.check()) === 'in') startApp();
    },
    stop: stopApp,
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
