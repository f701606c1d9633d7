/**
 * Playlist files (`.m3u`, `.m3u8`, `.pls`) as text and as entries: pure functions, no I/O
 * (library/playlist-files.ts reads the files). Nothing here touches the file system: an entry is
 * turned into a path relative to the media folder, or found to lie outside it, by string rules
 * alone, so an entry outside the folder is never read or stat'ed.
 *
 * - M3U: one location per line; `#EXTINF:<seconds>[ attributes],<title>` describes the next
 *   location; `#PLAYLIST:<name>` names the list; other `#` lines are comments or directives.
 *   (The de facto format: Winamp's extended M3U, RFC 8216 §4.1 for `.m3u8` as UTF-8.)
 * - PLS: an INI file, `[playlist]`, `FileN=`, `TitleN=`, `LengthN=`, `NumberOfEntries=`,
 *   `Version=2`, keys case-insensitive, entries in the order of N.
 * - Text: `.m3u8` is UTF-8; `.m3u` and `.pls` are UTF-8 when they are valid UTF-8, else Latin-1
 *   (the Windows players' default). A UTF-8 byte order mark is dropped.
 */
import { posix } from 'node:path';

export type PlaylistFormat = 'm3u' | 'm3u8' | 'pls';

/** At most this much of a playlist file is read (the rest is ignored, with a warning). */
export const MAX_PLAYLIST_FILE_BYTES = 1024 * 1024;
/** A line longer than this is not a location (a binary file named `.m3u`). */
const MAX_LINE_LENGTH = 4096;

export interface ParsedEntry {
  /** As written in the file (trimmed). */
  location: string;
  /** From `#EXTINF` or `TitleN=`; null when not given. */
  title: string | null;
  /** Seconds, from `#EXTINF` or `LengthN=`; null when not given or -1. */
  duration: number | null;
}

export interface ParsedPlaylist {
  /** `#PLAYLIST:` (M3U); null when the file does not name itself. */
  name: string | null;
  entries: ParsedEntry[];
  /** What could not be read (line numbers and reasons); empty for a well-formed file. */
  problems: string[];
}

export function playlistFormatOf(fileName: string): PlaylistFormat | undefined {
  const match = /\.(m3u8?|pls)$/i.exec(fileName);
  return match ? (match[1]!.toLowerCase() as PlaylistFormat) : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const utf8Lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
const latin1 = new TextDecoder('latin1');

/** The file's text: see the module comment for which encoding. */
export function decodePlaylist(bytes: Uint8Array, format: PlaylistFormat): string {
  if (format === 'm3u8') return utf8Lossy.decode(bytes);
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

export function parsePlaylist(text: string, format: PlaylistFormat, maxEntries: number): ParsedPlaylist {
  return format === 'pls' ? parsePls(text, maxEntries) : parseM3u(text, maxEntries);
}

const EXTINF = /^#EXTINF:\s*(-?\d+(?:\.\d+)?)((?:\s+[^,]*)?),(.*)$/i;

// eslint-disable-next-line no-control-regex -- NUL and other C0 controls mark a binary line
const BINARY = /[\u0000-\u0008\u000e-\u001f]/;

export function parseM3u(text: string, maxEntries: number): ParsedPlaylist {
  const result: ParsedPlaylist = { name: null, entries: [], problems: [] };
  let info: { title: string | null; duration: number | null } | undefined;
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (line.length > MAX_LINE_LENGTH || BINARY.test(line)) {
      result.problems.push(`line ${i + 1}: not a playlist line`);
      continue;
    }
    if (line.startsWith('#')) {
      if (/^#EXTINF:/i.test(line)) {
        const match = EXTINF.exec(line);
        if (!match) result.problems.push(`line ${i + 1}: malformed #EXTINF`);
        info = match ? { title: match[3]!.trim() || null, duration: seconds(match[1]!) } : undefined;
      } else if (/^#PLAYLIST:/i.test(line)) {
        result.name = line.slice('#PLAYLIST:'.length).trim() || null;
      }
      continue;
    }
    if (result.entries.length >= maxEntries) {
      result.problems.push(`more than ${maxEntries} entries: the rest is ignored`);
      break;
    }
    result.entries.push({ location: line, title: info?.title ?? null, duration: info?.duration ?? null });
    info = undefined;
  }
  return result;
}

export function parsePls(text: string, maxEntries: number): ParsedPlaylist {
  const result: ParsedPlaylist = { name: null, entries: [], problems: [] };
  const files = new Map<number, { location?: string; title?: string; duration?: number | null }>();
  let declared: number | undefined;
  let sawHeader = false;
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    if (line.length > MAX_LINE_LENGTH || BINARY.test(line)) {
      result.problems.push(`line ${i + 1}: not a playlist line`);
      continue;
    }
    if (/^\[playlist\]$/i.test(line)) {
      sawHeader = true;
      continue;
    }
    const match = /^(File|Title|Length)(\d{1,9})\s*=(.*)$/i.exec(line) ?? /^(NumberOfEntries|Version)()\s*=(.*)$/i.exec(line);
    if (!match) {
      result.problems.push(`line ${i + 1}: not a key=value line`);
      continue;
    }
    const key = match[1]!.toLowerCase();
    const value = match[3]!.trim();
    if (key === 'numberofentries') {
      declared = /^\d+$/.test(value) ? Number(value) : undefined;
      if (declared === undefined) result.problems.push(`line ${i + 1}: NumberOfEntries is not a number`);
      continue;
    }
    if (key === 'version') continue;
    const n = Number(match[2]);
    let file = files.get(n);
    if (file === undefined) {
      if (files.size >= maxEntries) {
        result.problems.push(`line ${i + 1}: more than ${maxEntries} entries: ignored`);
        continue;
      }
      files.set(n, (file = {}));
    }
    if (key === 'file') file.location = value;
    else if (key === 'title') file.title = value;
    else file.duration = seconds(value);
  }
  if (!sawHeader) result.problems.push('no [playlist] section header');
  for (const n of [...files.keys()].sort((a, b) => a - b)) {
    const file = files.get(n)!;
    if (file.location === undefined || file.location === '') {
      result.problems.push(`entry ${n}: Title or Length without File${n}`);
      continue;
    }
    result.entries.push({ location: file.location, title: file.title || null, duration: file.duration ?? null });
  }
  if (declared !== undefined && declared !== result.entries.length) {
    result.problems.push(`NumberOfEntries says ${declared}, the file has ${result.entries.length}`);
  }
  return result;
}

function seconds(text: string): number | null {
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * Where an entry points: a path relative to the media folder (`/` separators, normalised), or
 * null when it lies outside the folder or is not a local file (a URL, a Windows drive, a share).
 * `playlistDir` is the playlist's folder relative to the media folder ('' at its top), `root`
 * the media folder's absolute real path. Entries may be relative to the playlist's folder or
 * absolute inside the media folder, use `\` or `/`, or be `file://` URLs (percent-encoded).
 */
export function resolveEntry(location: string, playlistDir: string, root: string): string | null {
  let path = location.trim();
  if (/^file:/i.test(path)) {
    let url: URL;
    try {
      url = new URL(path);
    } catch {
      return null;
    }
    if (url.hostname !== '' && url.hostname !== 'localhost') return null; // another machine's file
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return null;
    }
  } else if (/^[a-z][a-z0-9+.-]+:/i.test(path)) {
    return null; // http://, rtsp:// ... (a one-letter scheme is a Windows drive, below)
  } else {
    path = path.replace(/\\/g, '/');
  }
  if (path === '' || path.includes('\0')) return null;
  if (/^[a-z]:/i.test(path) || /^\/[a-z]:\//i.test(path) || path.startsWith('//')) return null; // C:\..., file:///C:/..., \\server\share
  if (path.startsWith('/')) {
    const normal = posix.normalize(path);
    const prefix = root.endsWith('/') ? root : `${root}/`;
    return normal.startsWith(prefix) && normal.length > prefix.length ? normal.slice(prefix.length).replace(/\/+$/, '') : null;
  }
  const normal = posix.normalize(playlistDir === '' ? path : `${playlistDir}/${path}`).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../') || normal === '.' || normal === '') return null;
  return normal;
}

/** Title and artist of an entry to show while its file is missing: `#EXTINF` ("Artist - Title") or its file name. */
export function entryLabel(entry: ParsedEntry): { title: string; artist: string | null } {
  if (entry.title !== null) {
    const dash = entry.title.indexOf(' - ');
    if (dash > 0) return { artist: entry.title.slice(0, dash).trim(), title: entry.title.slice(dash + 3).trim() || entry.title };
    return { title: entry.title, artist: null };
  }
  const name = entry.location.replace(/\\/g, '/').replace(/\/+$/, '');
  const base = name.slice(name.lastIndexOf('/') + 1);
  let decoded = base;
  if (/^file:/i.test(entry.location)) {
    try {
      decoded = decodeURIComponent(base);
    } catch {
      // keep it as written
    }
  }
  return { title: decoded.replace(/\.[A-Za-z0-9]{1,5}$/, '') || entry.location, artist: null };
}
