import { describe, expect, it, vi } from 'vitest';
import { signal } from '@preact/signals';
import { makeAlbum, makeArtist, makeTrack } from '../../test/fixtures.js';
import { buildIndex, createSearch, fold, runSearch } from './search.js';

const tracks = [
  makeTrack(1, { title: 'Halo', artist: 'Beyoncé', album: 'I Am... Sasha Fierce' }),
  makeTrack(2, { title: 'Hello', artist: 'Adele', album: '25' }),
  makeTrack(3, { title: 'Crazy in Love', artist: 'Beyoncé', album: 'Dangerously in Love' }),
];
const albums = [makeAlbum(1, { title: 'Dangerously in Love', artist: 'Beyoncé' }), makeAlbum(2, { title: '25', artist: 'Adele' })];
const artists = [makeArtist(1, { name: 'Beyoncé' }), makeArtist(2, { name: 'Adele' })];
const index = buildIndex(tracks, albums, artists);

describe('search', () => {
  it('folds case and accents', () => {
    expect(fold('Beyoncé ÀÉÎ')).toBe('beyonce aei');
  });

  it('matches titles, artists and albums; every term must match', () => {
    expect(runSearch(index, 'beyonce').tracks.map((t) => t.id)).toEqual(['t1', 't3']);
    expect(runSearch(index, 'beyonce').artists.map((a) => a.name)).toEqual(['Beyoncé']);
    expect(runSearch(index, 'LOVE beyonce').tracks.map((t) => t.id)).toEqual(['t3']);
    expect(runSearch(index, 'dangerously').albums.map((a) => a.id)).toEqual(['a1']);
    expect(runSearch(index, 'hel').tracks.map((t) => t.title)).toEqual(['Hello']);
    expect(runSearch(index, '  ')).toEqual({ tracks: [], albums: [], artists: [] });
  });

  it('is fast enough over 20,000 tracks', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => makeTrack(i, { title: `Title ${i}`, artist: `Artist ${i % 500}` }));
    const big = buildIndex(many, [], []);
    const started = performance.now();
    const found = runSearch(big, 'artist 42');
    expect(performance.now() - started).toBeLessThan(200);
    expect(found.tracks.length).toBeGreaterThan(0);
  });

  it('debounces typing lightly and clears at once', () => {
    vi.useFakeTimers();
    const onSearch = vi.fn();
    const search = createSearch(signal(index), { debounceMs: 80, onSearch });
    search.setQuery('ade');
    expect(search.query.value).toBe('ade');
    expect(search.results.value.tracks).toEqual([]);
    vi.advanceTimersByTime(80);
    expect(search.results.value.tracks.map((t) => t.id)).toEqual(['t2']);
    expect(onSearch).toHaveBeenCalled();
    search.clear();
    expect(search.results.value.tracks).toEqual([]);
    vi.useRealTimers();
  });
});
