import { describe, expect, it, vi } from 'vitest';
import { fakeFetch, libraryRoutes } from '../../test/fixtures.js';
import { createLibrary } from './library.js';

describe('library model', () => {
  it('loads albums and artists first, tracks only when asked, in pages', async () => {
    const { routes } = libraryRoutes(25);
    const fetch = fakeFetch(routes);
    const library = createLibrary({ fetch, pageSize: 10 });
    await library.load();
    expect(library.status.value).toBe('ready');
    expect(library.albums.value).toHaveLength(3);
    expect(library.artists.value).toHaveLength(1);
    expect(library.tracks.value).toHaveLength(0);
    expect(fetch.calls.some((c) => c.startsWith('/api/tracks'))).toBe(false);

    await library.ensureTracks();
    expect(library.tracks.value.map((t) => t.id).slice(0, 3)).toEqual(['t1', 't2', 't3']);
    expect(library.tracks.value).toHaveLength(25);
    expect(fetch.calls.filter((c) => c.startsWith('/api/tracks'))).toEqual([
      '/api/tracks?offset=0&limit=10',
      '/api/tracks?offset=10&limit=10',
      '/api/tracks?offset=20&limit=10',
    ]);
    expect(library.trackById('t7')?.title).toBe('Song 7');
  });

  it('publishes a small first page of tracks before the rest arrives', async () => {
    const { routes } = libraryRoutes(25);
    const plain = fakeFetch(routes);
    let releaseRest!: () => void;
    const restHeld = new Promise<void>((resolve) => (releaseRest = resolve));
    const fetch = Object.assign(
      async (input: string) => {
        if (!input.includes('offset=0&')) await restHeld;
        return plain(input);
      },
      { calls: plain.calls },
    );
    const library = createLibrary({ fetch, pageSize: 10, firstPageSize: 4 });
    const done = library.ensureTracks();
    await vi.waitFor(() => expect(library.tracks.value).toHaveLength(4));
    expect(library.tracksStatus.value).toBe('loading');
    expect(library.trackById('t4')?.title).toBe('Song 4');
    releaseRest();
    await done;
    expect(library.tracksStatus.value).toBe('ready');
    expect(library.tracks.value.map((t) => t.id)).toEqual(Array.from({ length: 25 }, (_, i) => `t${i + 1}`));
    expect(plain.calls.filter((c) => c.startsWith('/api/tracks'))).toEqual([
      '/api/tracks?offset=0&limit=4',
      '/api/tracks?offset=4&limit=10',
      '/api/tracks?offset=14&limit=10',
      '/api/tracks?offset=24&limit=10',
    ]);
  });

  it('caches album details until the library reloads', async () => {
    const { routes } = libraryRoutes(20);
    const fetch = fakeFetch(routes);
    const library = createLibrary({ fetch });
    const first = await library.album('a2');
    expect(first.tracks.map((t) => t.trackNo)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await library.album('a2');
    expect(fetch.calls.filter((c) => c === '/api/albums/a2')).toHaveLength(1);
    await library.reload();
    expect(library.version.value).toBe(1);
    await library.album('a2');
    expect(fetch.calls.filter((c) => c === '/api/albums/a2')).toHaveLength(2);
  });

  it('reload refetches tracks when they had been loaded', async () => {
    const { routes } = libraryRoutes(5);
    const fetch = fakeFetch(routes);
    const library = createLibrary({ fetch });
    await library.ensureTracks();
    await library.reload();
    expect(fetch.calls.filter((c) => c.startsWith('/api/tracks'))).toHaveLength(2);
    expect(library.tracks.value).toHaveLength(5);
  });

  it('reports a failed load', async () => {
    const library = createLibrary({ fetch: fakeFetch({}) });
    await library.load();
    expect(library.status.value).toBe('error');
    expect(library.error.value).toMatch(/HTTP 404/);
  });

  it('finds a track that is not loaded from the server, and reads scan status', async () => {
    const { routes } = libraryRoutes(5);
    const library = createLibrary({ fetch: fakeFetch(routes) });
    expect((await library.track('t3')).title).toBe('Song 3');
    await library.refreshScan();
    expect(library.scan.value).toEqual({ scanning: false, done: 5, total: 5, trackCount: 5 });
  });

  it('builds the search index once per load', async () => {
    const { routes } = libraryRoutes(5);
    const library = createLibrary({ fetch: fakeFetch(routes) });
    await library.load();
    await library.ensureTracks();
    const index = library.index.value;
    expect(library.index.value).toBe(index);
    expect(index.trackKeys[0]).toContain('song 1');
  });
});
