/**
 * The user's playlists, kept by the server in the data folder: one file per playlist
 * (`playlists/<id>.json`), written crash-safely (atomic-file.ts: temporary file, fsync, rename,
 * fsync of the folder), so an edit rewrites one playlist, not all of them, and a `kill -9` leaves
 * each playlist as it was before or after its last change.
 *
 * A playlist keeps its tracks' ids in order, and what was last known of each (title, artist,
 * path): a track that leaves the library stays in the playlist as missing, shown by that name,
 * and comes back when its file does (same path, same id). Each change bumps `version`, the
 * strong entity tag that `PUT`'s `If-Match` is compared with.
 *
 * Writes run one after another, each writing the playlist as it is when the write starts.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { syncFolder, writeFileAtomic } from '../atomic-file.js';

/** What is remembered of a track, shown while it is missing (and its path for the `.m3u8` export). */
export interface KnownTrack {
  title: string;
  artist: string | null;
  path: string;
}

export interface StoredPlaylist {
  id: string;
  name: string;
  trackIds: string[];
  /** By track id, for every id in trackIds that was ever seen in the library. */
  known: Record<string, KnownTrack>;
  /** 1 when made, +1 on each change. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

const FORMAT = { format: 'musicsharer-playlist', version: 1 };
/** 12 random bytes, base64url: 16 characters. */
const ID_PATTERN = /^[A-Za-z0-9_-]{16}$/;
const FILE_PATTERN = /^([A-Za-z0-9_-]{16})\.json$/;

export class PlaylistStore {
  readonly #dir: string;
  readonly #log: FastifyBaseLogger;
  readonly #playlists = new Map<string, StoredPlaylist>();
  #writing: Promise<void> = Promise.resolve();

  private constructor(dir: string, log: FastifyBaseLogger) {
    this.#dir = dir;
    this.#log = log;
  }

  /** Loads every playlist of `dir` (made when missing); an unreadable file is logged and left alone. */
  static async open(dir: string, log: FastifyBaseLogger): Promise<PlaylistStore> {
    const store = new PlaylistStore(dir, log);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(dir)) {
      // A temporary file left by a crash mid-write: the playlist itself is intact.
      if (name.startsWith('.') && name.endsWith('.tmp')) {
        await rm(join(dir, name), { force: true });
        continue;
      }
      const match = FILE_PATTERN.exec(name);
      if (!match) continue;
      try {
        const data = JSON.parse(await readFile(join(dir, name), 'utf8')) as { format?: unknown; version?: unknown; playlist?: unknown };
        if (data.format !== FORMAT.format || data.version !== FORMAT.version || !isStoredPlaylist(data.playlist) || data.playlist.id !== match[1]) {
          throw new Error(`not a ${FORMAT.format} file of version ${FORMAT.version}`);
        }
        store.#playlists.set(data.playlist.id, data.playlist);
      } catch (error) {
        log.warn({ err: error, file: join(dir, name) }, 'unreadable playlist file: not listed');
      }
    }
    return store;
  }

  get size(): number {
    return this.#playlists.size;
  }

  list(): StoredPlaylist[] {
    return [...this.#playlists.values()];
  }

  get(id: string): StoredPlaylist | undefined {
    return ID_PATTERN.test(id) ? this.#playlists.get(id) : undefined;
  }

  async create(name: string, trackIds: string[], known: Record<string, KnownTrack>, now = Date.now()): Promise<StoredPlaylist> {
    const playlist: StoredPlaylist = { id: randomBytes(12).toString('base64url'), name, trackIds, known, version: 1, createdAt: now, updatedAt: now };
    this.#playlists.set(playlist.id, playlist);
    await this.#write(playlist.id);
    return playlist;
  }

  /** Replaces name and tracks (the caller checked the version). */
  async replace(playlist: StoredPlaylist, name: string, trackIds: string[], known: Record<string, KnownTrack>, now = Date.now()): Promise<StoredPlaylist> {
    Object.assign(playlist, { name, trackIds, known, version: playlist.version + 1, updatedAt: Math.max(now, playlist.updatedAt) });
    await this.#write(playlist.id);
    return playlist;
  }

  async delete(id: string): Promise<boolean> {
    if (!this.#playlists.delete(id)) return false;
    await this.#write(id);
    return true;
  }

  /** Resolves when every write asked for so far is done. */
  async flush(): Promise<void> {
    await this.#writing;
  }

  /** Writes the playlist as it is when the write runs (its file removed if it is gone by then). */
  #write(id: string): Promise<void> {
    const file = join(this.#dir, `${id}.json`);
    const run = this.#writing.then(async () => {
      const playlist = this.#playlists.get(id);
      try {
        if (playlist === undefined) {
          await rm(file, { force: true });
          await syncFolder(this.#dir);
        } else {
          await writeFileAtomic(file, `${JSON.stringify({ ...FORMAT, playlist })}\n`);
        }
      } catch (error) {
        this.#log.error({ err: error, file }, 'could not save the playlist');
        throw error;
      }
    });
    this.#writing = run.catch(() => {});
    return run;
  }
}

function isStoredPlaylist(value: unknown): value is StoredPlaylist {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.id === 'string' &&
    ID_PATTERN.test(v.id) &&
    typeof v.name === 'string' &&
    Array.isArray(v.trackIds) &&
    v.trackIds.every((id) => typeof id === 'string') &&
    typeof v.known === 'object' &&
    v.known !== null &&
    typeof v.version === 'number' &&
    typeof v.createdAt === 'number' &&
    typeof v.updatedAt === 'number'
  );
}
