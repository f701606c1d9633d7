/**
 * Playlist files in the media folder (`.m3u`, `.m3u8`, `.pls`), kept current with the library:
 * the walk lists them per folder (walk.ts), this reads the new and changed ones and forgets the
 * ones gone. They become read-only playlists (routes/playlists.ts).
 *
 * Reading is bounded: at most MAX_PLAYLIST_FILE_BYTES of a file, MAX_PLAYLIST_TRACKS entries,
 * MAX_PLAYLIST_FILES files (the rest ignored with one warning each). A file is opened with the
 * cover reader's guards (a regular file inside the media folder, no link swapped in, no FIFO:
 * cover-file.ts). Its entries are resolved by string rules (playlists/parse.ts): nothing they
 * name is opened or stat'ed; a track is found by its path's id in the catalog, or is missing.
 * A malformed file is listed with what could be read, with one warning per version of it.
 *
 * Reads run one at a time, in the order folders are listed; `settled()` resolves when the
 * queue is empty, `version` counts changes.
 */
import { MAX_PLAYLIST_TRACKS } from '@musicsharer/shared';
import type { FastifyBaseLogger } from 'fastify';
import { sep } from 'node:path';
import { decodePlaylist, entryLabel, MAX_PLAYLIST_FILE_BYTES, parsePlaylist, playlistFormatOf, resolveEntry } from '../playlists/parse.js';
import { folderOf } from './catalog.js';
import { CoverSourceError, locateSource, openSource } from './cover-file.js';
import { playlistFileId, trackId } from './ids.js';
import type { FolderListing } from './walk.js';

/** Playlist files listed at once; more are ignored (one warning). */
export const MAX_PLAYLIST_FILES = 1000;

export interface PlaylistFileEntry {
  /** trackId of the resolved path (of the location as written when it lies outside the folder). */
  id: string;
  /** The ids of the same path in the other Unicode normal form (a list made on a Mac), when it differs. */
  altId: string | undefined;
  /** Shown while missing. */
  title: string;
  artist: string | null;
  /** Relative to the media folder; null: outside it, or not a local file. */
  path: string | null;
}

export interface PlaylistFile {
  id: string;
  /** Relative to the media folder. */
  path: string;
  name: string;
  ino: number;
  size: number;
  mtimeMs: number;
  entries: PlaylistFileEntry[];
}

export class PlaylistFiles {
  readonly #root: string;
  readonly #rootPrefix: string;
  readonly #log: FastifyBaseLogger;
  /** By path relative to the media folder. */
  readonly #files = new Map<string, PlaylistFile>();
  readonly #byId = new Map<string, PlaylistFile>();
  #queue: Promise<void> = Promise.resolve();
  #tooMany = false;
  /** Bumped on every change. */
  version = 0;

  constructor(root: string, log: FastifyBaseLogger) {
    this.#root = root;
    this.#rootPrefix = root.endsWith(sep) ? root : root + sep;
    this.#log = log;
  }

  list(): PlaylistFile[] {
    return [...this.#files.values()];
  }

  get(id: string): PlaylistFile | undefined {
    return this.#byId.get(id);
  }

  /** A folder was listed: read its new and changed playlist files, forget those gone from it. */
  folderListed(listing: FolderListing): void {
    const here = new Set<string>();
    for (const { name, realPath } of listing.playlists) {
      const path = listing.relDir === '' ? name : `${listing.relDir}/${name}`;
      here.add(path);
      this.#enqueue(() => this.#refresh(path, realPath, listing.relDir));
    }
    for (const file of this.#files.values()) {
      if (folderOf(file.path) === listing.relDir && !here.has(file.path)) this.#remove(file);
    }
  }

  /** The folder and everything below it are gone. */
  folderGone(relDir: string): void {
    const prefix = relDir === '' ? '' : `${relDir}/`;
    for (const file of this.#files.values()) if (file.path.startsWith(prefix)) this.#remove(file);
  }

  /** After a full scan: files in folders it did not list are gone. */
  keepFolders(folders: ReadonlySet<string>): void {
    for (const file of this.#files.values()) if (!folders.has(folderOf(file.path))) this.#remove(file);
  }

  /** Resolves when every read asked for so far is done. */
  settled(): Promise<void> {
    return this.#queue;
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task).catch((error: unknown) => this.#log.error({ err: error }, 'playlist file update failed'));
  }

  #remove(file: PlaylistFile): void {
    this.#files.delete(file.path);
    this.#byId.delete(file.id);
    this.version++;
  }

  async #refresh(path: string, realPath: string, relDir: string): Promise<void> {
    let handle;
    let data: Buffer;
    let stats;
    try {
      const source = await locateSource(realPath, this.#rootPrefix);
      stats = source.stats;
      const known = this.#files.get(path);
      if (known && known.ino === stats.ino && known.size === stats.size && known.mtimeMs === stats.mtimeMs) return;
      if (!known && this.#files.size >= MAX_PLAYLIST_FILES) {
        if (!this.#tooMany) this.#log.warn({ path, max: MAX_PLAYLIST_FILES }, 'too many playlist files: the rest are not listed');
        this.#tooMany = true;
        return;
      }
      handle = await openSource(source, this.#rootPrefix);
      const length = Math.min(stats.size, MAX_PLAYLIST_FILE_BYTES);
      data = Buffer.alloc(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(data, filled, length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      data = data.subarray(0, filled);
    } catch (error) {
      if (error instanceof CoverSourceError && error.failure === 'missing') {
        const known = this.#files.get(path);
        if (known) this.#remove(known);
      } else {
        this.#log.debug({ path, reason: (error as Error).message }, 'playlist file not read now');
      }
      return;
    } finally {
      await handle?.close().catch(() => undefined);
    }

    const format = playlistFormatOf(path)!;
    const truncated = stats.size > MAX_PLAYLIST_FILE_BYTES;
    // Cut short: drop the last, partial line.
    if (truncated) data = data.subarray(0, data.lastIndexOf(0x0a) + 1);
    const parsed = parsePlaylist(decodePlaylist(data, format), format, MAX_PLAYLIST_TRACKS);
    if (truncated) parsed.problems.push(`larger than ${MAX_PLAYLIST_FILE_BYTES} bytes: only the start was read`);
    if (parsed.problems.length > 0) {
      this.#log.warn({ path, problems: parsed.problems.slice(0, 5), count: parsed.problems.length }, 'playlist file partly unreadable: listed with what could be read');
    }
    const entries = parsed.entries.map((entry): PlaylistFileEntry => {
      const resolved = resolveEntry(entry.location, relDir, this.#root);
      const label = entryLabel(entry);
      if (resolved === null) return { id: trackId(entry.location), altId: undefined, path: null, ...label };
      const id = trackId(resolved);
      const other = resolved.normalize('NFC') === resolved ? resolved.normalize('NFD') : resolved.normalize('NFC');
      return { id, altId: other === resolved ? undefined : trackId(other), path: resolved, ...label };
    });
    const name = parsed.name ?? path.slice(path.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '');
    const file: PlaylistFile = { id: playlistFileId(path), path, name, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, entries };
    this.#files.set(path, file);
    this.#byId.set(file.id, file);
    this.version++;
  }
}
