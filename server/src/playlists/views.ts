/**
 * Playlists as the API shows them, from the user's (store.ts) and the library's files
 * (library/playlist-files.ts), resolved against the catalog as it is now: a track present
 * gives its record, one absent is missing (`track: null`) under its last known name. Also the
 * `.m3u8` export and the entity tags. Pure over its inputs: no I/O.
 */
import type { Playlist, PlaylistEntry, Track } from '@musicsharer/shared';
import type { Catalog } from '../library/catalog.js';
import type { PlaylistFile } from '../library/playlist-files.js';
import { fileEntityTag } from '../http/etag.js';
import type { KnownTrack, StoredPlaylist } from './store.js';

export type AnyPlaylist = { kind: 'user'; playlist: StoredPlaylist } | { kind: 'file'; playlist: PlaylistFile };

/** What an entry is now: the track when present, else what is known of it. */
interface Resolved {
  id: string;
  track: Track | undefined;
  title: string;
  artist: string | null;
  /** Relative to the media folder; null when unknown or outside it. */
  path: string | null;
}

const MISSING_TITLE = 'Missing track';

export function knownOf(playlist: StoredPlaylist, id: string): KnownTrack | undefined {
  return Object.hasOwn(playlist.known, id) ? playlist.known[id] : undefined;
}

function resolveEntries(source: AnyPlaylist, catalog: Catalog): Resolved[] {
  if (source.kind === 'user') {
    const playlist = source.playlist;
    return playlist.trackIds.map((id) => {
      const track = catalog.getTrack(id);
      const known = knownOf(playlist, id);
      return {
        id,
        track,
        title: track?.title ?? known?.title ?? MISSING_TITLE,
        artist: track ? track.artist : (known?.artist ?? null),
        path: track?.path ?? known?.path ?? null,
      };
    });
  }
  return source.playlist.entries.map((entry) => {
    let id = entry.id;
    let track = catalog.getTrack(id);
    if (track === undefined && entry.altId !== undefined) {
      track = catalog.getTrack(entry.altId);
      if (track) id = entry.altId;
    }
    return { id, track, title: track?.title ?? entry.title, artist: track ? track.artist : entry.artist, path: track?.path ?? entry.path };
  });
}

/** Durations are summed once per version of the playlist and of the library. */
const durations = new WeakMap<object, { key: string; seconds: number }>();

function durationOf(source: AnyPlaylist, catalog: Catalog): number {
  const key = `${catalog.version}:${source.kind === 'user' ? source.playlist.version : source.playlist.mtimeMs}`;
  const cached = durations.get(source.playlist);
  if (cached?.key === key) return cached.seconds;
  let seconds = 0;
  for (const entry of resolveEntries(source, catalog)) seconds += entry.track?.duration ?? 0;
  durations.set(source.playlist, { key, seconds });
  return seconds;
}

export function playlistView(source: AnyPlaylist, catalog: Catalog): Playlist {
  const common = { id: source.playlist.id, name: source.playlist.name, duration: durationOf(source, catalog) };
  if (source.kind === 'user') {
    const p = source.playlist;
    return { ...common, trackCount: p.trackIds.length, readOnly: false, path: null, updatedAt: new Date(p.updatedAt).toISOString() };
  }
  const f = source.playlist;
  return { ...common, trackCount: f.entries.length, readOnly: true, path: f.path, updatedAt: new Date(f.mtimeMs).toISOString() };
}

export function playlistEntries(source: AnyPlaylist, catalog: Catalog): PlaylistEntry[] {
  return resolveEntries(source, catalog).map(({ id, track, title, artist }) => ({ id, track: track ?? null, title, artist }));
}

/**
 * The strong entity tag of a playlist's version (RFC 9110 §8.8.3): the user's, its change
 * counter; a library file's, its identity (inode, size, modification time).
 */
export function playlistEntityTag(source: AnyPlaylist): string {
  return source.kind === 'user' ? `"v${source.playlist.version}"` : fileEntityTag(source.playlist);
}

/** Text of one `#EXTINF` or location line: no line breaks or other controls. */
const oneLine = (text: string) => text.replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ').trim();

/**
 * The playlist as an extended M3U in UTF-8 (`.m3u8`): `#EXTM3U`, `#PLAYLIST:<name>`, then per
 * entry `#EXTINF:<seconds>,<artist> - <title>` and its path relative to the media folder (a file
 * saved at the top of the media folder plays there). A missing track is listed by its last known
 * path with `-1` seconds; an entry with no path inside the folder, or one a line cannot hold (a
 * line break in a file name), is left out. A path starting with `#` gets `./` so it is not read
 * as a comment.
 */
export function toM3u8(source: AnyPlaylist, catalog: Catalog): string {
  const lines = ['#EXTM3U', `#PLAYLIST:${oneLine(source.playlist.name)}`];
  for (const entry of resolveEntries(source, catalog)) {
    if (entry.path === null || /[\p{Cc}\p{Zl}\p{Zp}]/u.test(entry.path)) continue;
    const seconds = entry.track?.duration == null ? -1 : Math.round(entry.track.duration);
    const label = entry.artist ? `${oneLine(entry.artist)} - ${oneLine(entry.title)}` : oneLine(entry.title);
    lines.push(`#EXTINF:${seconds},${label}`, entry.path.startsWith('#') ? `./${entry.path}` : entry.path);
  }
  return `${lines.join('\n')}\n`;
}
