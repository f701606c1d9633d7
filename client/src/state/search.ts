import { computed, signal, type ReadonlySignal } from '@preact/signals';
import type { Album, Artist, Track } from '@musicsharer/shared';

/** Lowercased, accent-free text: "Beyoncé" and "beyonce" match. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** One lowercased string per record, built once per library load. */
export interface SearchIndex {
  tracks: readonly Track[];
  trackKeys: string[];
  albums: readonly Album[];
  albumKeys: string[];
  artists: readonly Artist[];
  artistKeys: string[];
}

export interface SearchResults {
  tracks: Track[];
  albums: Album[];
  artists: Artist[];
}

export const EMPTY_RESULTS: SearchResults = { tracks: [], albums: [], artists: [] };

export function buildIndex(tracks: readonly Track[], albums: readonly Album[], artists: readonly Artist[]): SearchIndex {
  return {
    tracks,
    trackKeys: tracks.map((t) => fold(`${t.title}\n${t.artist ?? ''}\n${t.album ?? ''}\n${t.albumArtist ?? ''}`)),
    albums,
    albumKeys: albums.map((a) => fold(`${a.title}\n${a.artist}`)),
    artists,
    artistKeys: artists.map((a) => fold(a.name)),
  };
}

function matching<T>(items: readonly T[], keys: string[], terms: string[], limit: number): T[] {
  const found: T[] = [];
  for (let i = 0; i < items.length && found.length < limit; i++) {
    const key = keys[i]!;
    if (terms.every((term) => key.includes(term))) found.push(items[i]!);
  }
  return found;
}

/** Every whitespace-separated term must appear in the record's title, artist or album. */
export function runSearch(index: SearchIndex, query: string, limits = { albums: 24, artists: 12 }): SearchResults {
  const terms = fold(query).split(/\s+/).filter(Boolean);
  if (terms.length === 0) return EMPTY_RESULTS;
  return {
    artists: matching(index.artists, index.artistKeys, terms, limits.artists),
    albums: matching(index.albums, index.albumKeys, terms, limits.albums),
    tracks: matching(index.tracks, index.trackKeys, terms, Infinity),
  };
}

export interface SearchModel {
  /** What is in the search box, updated on every keystroke. */
  query: ReadonlySignal<string>;
  /** The query the results are for (lags `query` by the debounce). */
  settled: ReadonlySignal<string>;
  results: ReadonlySignal<SearchResults>;
  setQuery(text: string): void;
  clear(): void;
}

export function createSearch(index: ReadonlySignal<SearchIndex>, options: { debounceMs?: number; onSearch?: () => void } = {}): SearchModel {
  const { debounceMs = 80, onSearch } = options;
  const query = signal('');
  const settled = signal('');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const results = computed(() => (settled.value.trim() ? runSearch(index.value, settled.value) : EMPTY_RESULTS));

  function setQuery(text: string) {
    query.value = text;
    clearTimeout(timer);
    if (text.trim()) onSearch?.();
    // Clearing is instant; typing settles after a short pause.
    if (!text.trim()) settled.value = '';
    else timer = setTimeout(() => (settled.value = text), debounceMs);
  }

  return { query, settled, results, setQuery, clear: () => setQuery('') };
}
