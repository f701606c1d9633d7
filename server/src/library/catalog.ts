/**
 * The in-memory library: tracks by id, with albums and artists derived from them. Derived
 * views are rebuilt lazily, once per batch of changes, so a scan that adds 100,000 tracks
 * does not rebuild them 100,000 times.
 */
import type { Album, Artist, Track } from '@musicsharer/shared';
import { UNKNOWN_ALBUM, UNKNOWN_ARTIST, toPublicTrack, type TrackRecord } from './record.js';

interface AlbumEntry {
  album: Album;
  tracks: Track[];
}

interface Views {
  tracks: Track[];
  albums: Map<string, AlbumEntry>;
  albumList: Album[];
  artists: Map<string, { artist: Artist; albums: Album[] }>;
  artistList: Artist[];
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

const byDiscAndTrack = (a: Track, b: Track): number =>
  (a.discNo ?? 1) - (b.discNo ?? 1) ||
  (a.trackNo ?? Number.MAX_SAFE_INTEGER) - (b.trackNo ?? Number.MAX_SAFE_INTEGER) ||
  collator.compare(a.path, b.path);

const byArtistAlbumTrack = (a: Track, b: Track): number =>
  collator.compare(a.albumArtist ?? a.artist ?? UNKNOWN_ARTIST, b.albumArtist ?? b.artist ?? UNKNOWN_ARTIST) ||
  collator.compare(a.album ?? '', b.album ?? '') ||
  byDiscAndTrack(a, b);

function albumTitleOf(track: Track): string {
  if (track.album) return track.album;
  const folder = track.path.includes('/') ? track.path.slice(0, track.path.lastIndexOf('/')) : '';
  return folder ? folder.slice(folder.lastIndexOf('/') + 1) : UNKNOWN_ALBUM;
}

export class Catalog {
  readonly #records = new Map<string, TrackRecord>();
  #views: Views | undefined;
  /** Bumped on every change: lets callers tell whether anything changed. */
  version = 0;

  get size(): number {
    return this.#records.size;
  }

  /** Adds or replaces a track. */
  upsert(record: TrackRecord): void {
    this.#records.set(record.id, record);
    this.#changed();
  }

  remove(id: string): boolean {
    const removed = this.#records.delete(id);
    if (removed) this.#changed();
    return removed;
  }

  getRecord(id: string): TrackRecord | undefined {
    return this.#records.get(id);
  }

  records(): IterableIterator<TrackRecord> {
    return this.#records.values();
  }

  getTrack(id: string): Track | undefined {
    const record = this.#records.get(id);
    return record && toPublicTrack(record);
  }

  /** All tracks, sorted by artist, album, disc, track. */
  tracks(): readonly Track[] {
    return this.#ensureViews().tracks;
  }

  albums(): readonly Album[] {
    return this.#ensureViews().albumList;
  }

  album(id: string): AlbumEntry | undefined {
    return this.#ensureViews().albums.get(id);
  }

  artists(): readonly Artist[] {
    return this.#ensureViews().artistList;
  }

  artist(id: string): { artist: Artist; albums: Album[] } | undefined {
    return this.#ensureViews().artists.get(id);
  }

  #changed(): void {
    this.version++;
    this.#views = undefined;
  }

  #ensureViews(): Views {
    if (this.#views) return this.#views;
    const tracks = Array.from(this.#records.values(), toPublicTrack).sort(byArtistAlbumTrack);
    const albums = new Map<string, AlbumEntry>();
    for (const track of tracks) {
      let entry = albums.get(track.albumId);
      if (!entry) {
        entry = {
          album: {
            id: track.albumId,
            title: albumTitleOf(track),
            artist: track.albumArtist ?? track.artist ?? UNKNOWN_ARTIST,
            artistId: track.artistId,
            year: track.year,
            trackCount: 0,
            duration: 0,
            coverUrl: track.coverUrl,
          },
          tracks: [],
        };
        albums.set(track.albumId, entry);
      }
      entry.tracks.push(track);
      entry.album.trackCount++;
      entry.album.duration += track.duration ?? 0;
      entry.album.year ??= track.year;
      entry.album.coverUrl ??= track.coverUrl;
    }
    const artists = new Map<string, { artist: Artist; albums: Album[] }>();
    for (const { album, tracks: albumTracks } of albums.values()) {
      albumTracks.sort(byDiscAndTrack);
      let entry = artists.get(album.artistId);
      if (!entry) {
        entry = { artist: { id: album.artistId, name: album.artist, albumCount: 0, trackCount: 0 }, albums: [] };
        artists.set(album.artistId, entry);
      }
      entry.albums.push(album);
      entry.artist.albumCount++;
      entry.artist.trackCount += album.trackCount;
    }
    const albumList = [...albums.values()]
      .map((entry) => entry.album)
      .sort((a, b) => collator.compare(a.artist, b.artist) || (a.year ?? 0) - (b.year ?? 0) || collator.compare(a.title, b.title));
    for (const entry of artists.values()) entry.albums.sort((a, b) => (a.year ?? 0) - (b.year ?? 0) || collator.compare(a.title, b.title));
    const artistList = [...artists.values()].map((entry) => entry.artist).sort((a, b) => collator.compare(a.name, b.name));
    this.#views = { tracks, albums, albumList, artists, artistList };
    return this.#views;
  }
}
