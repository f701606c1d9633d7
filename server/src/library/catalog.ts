/**
 * The in-memory library: tracks by id, the cover image of each folder that has one, and albums
 * and artists derived from them. Derived views are rebuilt lazily, once per batch of changes,
 * so a scan that adds 100,000 tracks does not rebuild them 100,000 times. It also remembers the
 * files that failed to read (`FailedFile`), so they are not read again until they change.
 */
import { apiPaths, type Album, type Artist, type Track } from '@musicsharer/shared';
import { posix } from 'node:path';
import { trackId } from './ids.js';
import { UNKNOWN_ALBUM, UNKNOWN_ARTIST, toPublicTrack, type AudioFile, type FailedFile, type TrackRecord } from './record.js';

interface AlbumEntry {
  album: Album;
  tracks: Track[];
}

/** Where an album's cover may come from, best first. */
export interface CoverCandidates {
  /** Tracks with an embedded picture. */
  embedded: TrackRecord[];
  /** Image files in the album's folders: paths relative to the root. */
  files: string[];
}

interface Views {
  tracks: Track[];
  byId: Map<string, Track>;
  albumRecords: Map<string, TrackRecord[]>;
  albums: Map<string, AlbumEntry>;
  albumList: Album[];
  artists: Map<string, { artist: Artist; albums: Album[] }>;
  artistList: Artist[];
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/**
 * Collation order of a set of strings as numbers: sorting 100,000 tracks compares numbers, and
 * the (slow) collator only sorts the far fewer distinct names. Strings the collator calls equal
 * share a rank, as they would in a collator sort.
 */
function collationRanks(values: Iterable<string>): Map<string, number> {
  const distinct = [...new Set(values)].sort(collator.compare);
  const ranks = new Map<string, number>();
  let rank = 0;
  distinct.forEach((value, i) => {
    if (i > 0 && collator.compare(distinct[i - 1]!, value) !== 0) rank++;
    ranks.set(value, rank);
  });
  return ranks;
}

const byDiscAndTrack = (a: Track, b: Track): number =>
  (a.discNo ?? 1) - (b.discNo ?? 1) ||
  (a.trackNo ?? Number.MAX_SAFE_INTEGER) - (b.trackNo ?? Number.MAX_SAFE_INTEGER) ||
  collator.compare(a.path, b.path);

const artistNameOf = (track: Track): string => track.albumArtist ?? track.artist ?? UNKNOWN_ARTIST;

function albumTitleOf(track: Track): string {
  if (track.album) return track.album;
  const folder = track.path.includes('/') ? track.path.slice(0, track.path.lastIndexOf('/')) : '';
  return folder ? folder.slice(folder.lastIndexOf('/') + 1) : UNKNOWN_ALBUM;
}

/** Folder of a track path ('' at the root). */
export function folderOf(relPath: string): string {
  const folder = posix.dirname(relPath);
  return folder === '.' ? '' : folder;
}

export class Catalog {
  readonly #records = new Map<string, TrackRecord>();
  /** Folder (relative path) -> name of its cover image file. */
  readonly #folderImages = new Map<string, string>();
  /** Track id (of the path) -> the file that failed, as it was. */
  readonly #failed = new Map<string, FailedFile>();
  #views: Views | undefined;
  /** Bumped on every change: lets callers tell whether anything changed. */
  version = 0;

  get size(): number {
    return this.#records.size;
  }

  /** Adds or replaces a track. */
  upsert(record: TrackRecord): void {
    this.#records.set(record.id, record);
    this.#failed.delete(record.id);
    this.#changed();
  }

  /** Remembers a file that is not readable audio (and drops its track, if it had one). */
  setFailed(failed: FailedFile): void {
    const id = trackId(failed.path);
    this.#records.delete(id);
    this.#failed.set(id, failed);
    this.#changed();
  }

  /** The file failed to read before and has not changed since. */
  failedBefore(id: string, file: AudioFile): boolean {
    const failed = this.#failed.get(id);
    return failed !== undefined && failed.size === file.size && failed.mtimeMs === file.mtimeMs && failed.ino === file.ino;
  }

  /** Forgets a failed file (it is gone). */
  forgetFailed(id: string): boolean {
    const removed = this.#failed.delete(id);
    if (removed) this.#changed();
    return removed;
  }

  failedFiles(): IterableIterator<[string, FailedFile]> {
    return this.#failed.entries();
  }

  remove(id: string): boolean {
    const removed = this.#records.delete(id);
    if (removed) this.#changed();
    return removed;
  }

  /** Removes every track in the folder or below it; returns how many. */
  removeFolder(relDir: string): number {
    const prefix = relDir === '' ? '' : `${relDir}/`;
    let removed = 0;
    for (const record of this.#records.values()) {
      if (record.path.startsWith(prefix) && this.remove(record.id)) removed++;
    }
    for (const [id, failed] of this.#failed) if (failed.path.startsWith(prefix)) this.forgetFailed(id);
    for (const folder of this.#folderImages.keys()) {
      if (folder === relDir || folder.startsWith(prefix)) this.setFolderImage(folder, undefined);
    }
    return removed;
  }

  /** Sets (or with undefined, clears) the cover image file of a folder. */
  setFolderImage(relDir: string, name: string | undefined): void {
    if (this.#folderImages.get(relDir) === name) return;
    if (name === undefined) this.#folderImages.delete(relDir);
    else this.#folderImages.set(relDir, name);
    this.#changed();
  }

  folderImages(): IterableIterator<[string, string]> {
    return this.#folderImages.entries();
  }

  /** Where the album's cover may come from; undefined for an unknown album. */
  coverCandidates(albumId: string): CoverCandidates | undefined {
    const records = this.#ensureViews().albumRecords.get(albumId);
    if (!records) return undefined;
    const embedded = records.filter((record) => record.embeddedPicture);
    const files = [...new Set(records.map((record) => folderOf(record.path)))].flatMap((folder) => {
      const image = this.#folderImages.get(folder);
      return image === undefined ? [] : [folder === '' ? image : `${folder}/${image}`];
    });
    return { embedded, files };
  }

  getRecord(id: string): TrackRecord | undefined {
    return this.#records.get(id);
  }

  records(): IterableIterator<TrackRecord> {
    return this.#records.values();
  }

  getTrack(id: string): Track | undefined {
    return this.#ensureViews().byId.get(id);
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
    const records = [...this.#records.values()];
    const tracks = records.map(toPublicTrack);
    const byId = new Map<string, Track>();
    for (const track of tracks) byId.set(track.id, track);
    const albumRecords = new Map<string, TrackRecord[]>();
    for (const record of records) {
      const list = albumRecords.get(record.albumId);
      if (list) list.push(record);
      else albumRecords.set(record.albumId, [record]);
    }
    const hasCover = new Set<string>();
    for (const [id, list] of albumRecords) {
      if (list.some((record) => record.embeddedPicture || this.#folderImages.has(folderOf(record.path)))) hasCover.add(id);
    }
    const artistRank = collationRanks(tracks.map(artistNameOf));
    const albumRank = collationRanks(tracks.map((track) => track.album ?? ''));
    // Sorted by artist, album, disc, track (decorate-sort: ranks looked up once per track).
    const keyed = tracks.map((track) => ({ track, artist: artistRank.get(artistNameOf(track))!, album: albumRank.get(track.album ?? '')! }));
    keyed.sort((a, b) => a.artist - b.artist || a.album - b.album || byDiscAndTrack(a.track, b.track));
    keyed.forEach((entry, i) => (tracks[i] = entry.track));
    const albums = new Map<string, AlbumEntry>();
    for (const track of tracks) {
      track.coverUrl = hasCover.has(track.albumId) ? apiPaths.cover(track.albumId) : null;
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
    const titleRank = collationRanks([...albums.values()].map((entry) => entry.album.title));
    const albumArtistRank = collationRanks([...albums.values()].map((entry) => entry.album.artist));
    const byYearTitle = (a: Album, b: Album) => (a.year ?? 0) - (b.year ?? 0) || titleRank.get(a.title)! - titleRank.get(b.title)!;
    const albumList = [...albums.values()]
      .map((entry) => entry.album)
      .sort((a, b) => albumArtistRank.get(a.artist)! - albumArtistRank.get(b.artist)! || byYearTitle(a, b));
    for (const entry of artists.values()) entry.albums.sort(byYearTitle);
    const artistList = [...artists.values()].map((entry) => entry.artist).sort((a, b) => albumArtistRank.get(a.name)! - albumArtistRank.get(b.name)!);
    this.#views = { tracks, byId, albumRecords, albums, albumList, artists, artistList };
    return this.#views;
  }
}
