import { batch, computed, signal, type ReadonlySignal } from '@preact/signals';
import {
  apiPaths,
  type Album,
  type AlbumDetailResponse,
  type AlbumListResponse,
  type Artist,
  type ArtistDetailResponse,
  type ArtistListResponse,
  type ScanStatus,
  type Track,
  type TrackListResponse,
} from '@musicsharer/shared';
import { getJson, type Fetch } from './api.js';
import { buildIndex, type SearchIndex } from './search.js';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** Scan progress as the server pushes it (`trackCount` only comes with `GET /api/scan`). */
export type ScanProgress = Pick<ScanStatus, 'scanning' | 'done' | 'total'> & { trackCount?: number };

export interface LibraryOptions {
  fetch?: Fetch;
  /** Tracks are fetched in pages of this size so no single response takes long to parse. */
  pageSize?: number;
  /** The first page is small so the Tracks screen can show its first rows at once. */
  firstPageSize?: number;
}

export interface LibraryModel {
  albums: ReadonlySignal<Album[]>;
  artists: ReadonlySignal<Artist[]>;
  /** Every track once `ensureTracks()` has finished; while it runs, the first page alone. */
  tracks: ReadonlySignal<Track[]>;
  status: ReadonlySignal<LoadStatus>;
  tracksStatus: ReadonlySignal<LoadStatus>;
  error: ReadonlySignal<string | null>;
  scan: ReadonlySignal<ScanProgress | null>;
  /** Bumps each time the library is reloaded; detail views refetch when it changes. */
  version: ReadonlySignal<number>;
  /** Built once per load, lazily (only when search reads it). */
  index: ReadonlySignal<SearchIndex>;
  load(): Promise<void>;
  /** Refetch everything (the server said the library changed). */
  reload(): Promise<void>;
  ensureTracks(): Promise<void>;
  album(id: string): Promise<AlbumDetailResponse>;
  artist(id: string): Promise<ArtistDetailResponse>;
  /** A track by id: from the loaded list, else from the server. */
  track(id: string): Promise<Track>;
  trackById(id: string): Track | undefined;
  setScan(progress: ScanProgress): void;
  refreshScan(): Promise<void>;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createLibrary(options: LibraryOptions = {}): LibraryModel {
  const fetchFn: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const pageSize = options.pageSize ?? 5000;
  const firstPageSize = Math.min(options.firstPageSize ?? 100, pageSize);

  const albums = signal<Album[]>([]);
  const artists = signal<Artist[]>([]);
  const tracks = signal<Track[]>([]);
  const status = signal<LoadStatus>('idle');
  const tracksStatus = signal<LoadStatus>('idle');
  const error = signal<string | null>(null);
  const scan = signal<ScanProgress | null>(null);
  const version = signal(0);
  const index = computed(() => buildIndex(tracks.value, albums.value, artists.value));

  let generation = 0;
  let tracksPromise: Promise<void> | null = null;
  let byId = new Map<string, Track>();
  let albumCache = new Map<string, Promise<AlbumDetailResponse>>();
  let artistCache = new Map<string, Promise<ArtistDetailResponse>>();

  /** Albums (the first screen) render as soon as they arrive; artists follow on their own. */
  async function load() {
    const gen = generation;
    if (status.peek() !== 'ready') status.value = 'loading';
    const albumsLoaded = getJson<AlbumListResponse>(fetchFn, apiPaths.albums).then((list) => {
      if (gen !== generation) return;
      batch(() => {
        albums.value = list.albums;
        status.value = 'ready';
        error.value = null;
      });
    });
    const artistsLoaded = getJson<ArtistListResponse>(fetchFn, apiPaths.artists).then((list) => {
      if (gen === generation) artists.value = list.artists;
    });
    try {
      await Promise.all([albumsLoaded, artistsLoaded]);
    } catch (err) {
      if (gen !== generation) return;
      batch(() => {
        status.value = 'error';
        error.value = `Could not load the library (${message(err)})`;
      });
    }
  }

  const trackPage = (offset: number, limit: number) =>
    getJson<TrackListResponse>(fetchFn, `${apiPaths.tracks}?offset=${offset}&limit=${limit}`);

  function publishTracks(list: Track[], state: LoadStatus) {
    byId = new Map(list.map((t) => [t.id, t]));
    batch(() => {
      tracks.value = list;
      tracksStatus.value = state;
    });
  }

  /**
   * A small first page is published at once (a screenful of rows: the Tracks screen need not
   * wait for 20,000 tracks), then the rest arrives in parallel pages and replaces it whole.
   */
  async function fetchTracks(gen: number) {
    tracksStatus.value = 'loading';
    try {
      const first = await trackPage(0, firstPageSize);
      if (gen !== generation) return;
      if (first.tracks.length === 0 || first.tracks.length >= first.total) {
        publishTracks(first.tracks, 'ready');
        return;
      }
      publishTracks(first.tracks, 'loading');
      const rest: Promise<TrackListResponse>[] = [];
      for (let offset = first.tracks.length; offset < first.total; offset += pageSize) rest.push(trackPage(offset, pageSize));
      const pages = await Promise.all(rest);
      if (gen !== generation) return;
      publishTracks(first.tracks.concat(...pages.map((page) => page.tracks)), 'ready');
    } catch (err) {
      if (gen !== generation) return;
      tracksPromise = null;
      batch(() => {
        tracksStatus.value = 'error';
        error.value = `Could not load tracks (${message(err)})`;
      });
    }
  }

  function ensureTracks() {
    tracksPromise ??= fetchTracks(generation);
    return tracksPromise;
  }

  async function reload() {
    generation++;
    albumCache = new Map();
    artistCache = new Map();
    const hadTracks = tracksPromise !== null;
    tracksPromise = null;
    version.value++;
    await Promise.all([load(), hadTracks ? ensureTracks() : undefined]);
  }

  function cached<T>(cache: Map<string, Promise<T>>, id: string, url: string): Promise<T> {
    let entry = cache.get(id);
    if (!entry) {
      entry = getJson<T>(fetchFn, url);
      cache.set(id, entry);
      entry.catch(() => cache.delete(id));
    }
    return entry;
  }

  return {
    albums,
    artists,
    tracks,
    status,
    tracksStatus,
    error,
    scan,
    version,
    index,
    load,
    reload,
    ensureTracks,
    album: (id) => cached(albumCache, id, apiPaths.album(id)),
    artist: (id) => cached(artistCache, id, apiPaths.artist(id)),
    trackById: (id) => byId.get(id),
    track: async (id) => byId.get(id) ?? getJson<Track>(fetchFn, apiPaths.track(id)),
    setScan: (progress) => (scan.value = progress),
    refreshScan: async () => {
      try {
        scan.value = await getJson<ScanStatus>(fetchFn, apiPaths.scan);
      } catch {
        // Scan status is a nicety: the library itself reports its own errors.
      }
    },
  };
}
