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
}

export interface LibraryModel {
  albums: ReadonlySignal<Album[]>;
  artists: ReadonlySignal<Artist[]>;
  /** Every track; empty until `ensureTracks()` has been called and finished. */
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

  async function fetchTracks(gen: number) {
    tracksStatus.value = 'loading';
    try {
      const all: Track[] = [];
      let total = Infinity;
      while (all.length < total) {
        const page = await getJson<TrackListResponse>(fetchFn, `${apiPaths.tracks}?offset=${all.length}&limit=${pageSize}`);
        if (gen !== generation) return;
        total = page.total;
        all.push(...page.tracks);
        if (page.tracks.length === 0) break;
      }
      byId = new Map(all.map((t) => [t.id, t]));
      batch(() => {
        tracks.value = all;
        tracksStatus.value = 'ready';
      });
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
