/**
 * Walks the media folder for audio files. Links are followed only while they stay inside the
 * folder (a link out of it, e.g. to /etc, is ignored), and each real directory is visited once,
 * so link loops end.
 *
 * A name that is not valid UTF-8 (an old Latin-1 rip: `caf\xe9.mp3`) reaches JavaScript with
 * U+FFFD in place of the bad bytes, and that string no longer names the file: it cannot be
 * stat'ed, read or served. Such entries are reported through `onBadName`, not as errors.
 */
import { opendir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { audioMimeType } from '../http/content-type.js';
import { playlistFormatOf } from '../playlists/parse.js';
import type { AudioFile } from './record.js';

export function isInside(root: string, realPath: string): boolean {
  return realPath === root || realPath.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Path relative to the root, with `/` separators whatever the platform. */
export function toRelPath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

const STAT_BATCH = 64;

/** Image files that can be an album cover (what sharp decodes). */
const IMAGE_EXTENSION = /\.(jpe?g|png|webp|gif|avif)$/i;

export function isImageFile(name: string): boolean {
  return IMAGE_EXTENSION.test(name);
}

/** One folder as the walk listed it. */
export interface FolderListing {
  /** Real path, relative to the root ('' for the root itself). */
  relDir: string;
  /** Names of the image files in it. */
  images: string[];
  /** Real paths, relative to the root, of its subfolders (inside the root). */
  subdirs: string[];
  /** Its playlist files (`.m3u`, `.m3u8`, `.pls`): names, and real paths (inside the root). */
  playlists: Array<{ name: string; realPath: string }>;
}

/**
 * The entry at `path` is gone by that name because the name was decoded with replacement
 * characters: its bytes on disk are not UTF-8.
 */
export function isUndecodableName(path: string, error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' && basename(path).includes('\uFFFD');
}

export interface WalkOptions {
  /** Called for entries that cannot be read; the walk goes on. */
  onError?: (path: string, error: Error) => void;
  /** Called for an entry whose name is not valid UTF-8 (path relative to the root, lossily decoded); default `onError`. */
  onBadName?: (relPath: string) => void;
  /** Real path of the folder to start from (inside the root); default the root. Errors opening it are thrown. */
  start?: string;
  /** Whether to go into a subfolder; default always. */
  descend?: (relDir: string) => boolean;
  /** Called once per folder, after its entries were listed. */
  onFolder?: (listing: FolderListing) => void;
}

/**
 * Walks audio files under the root. Folders are reported by their real path, so a folder
 * reached through a link inside the root is listed once, under its real name.
 * @param root the real (symlink-resolved) absolute media folder.
 */
export async function* walkAudioFiles(root: string, options: WalkOptions = {}): AsyncGenerator<AudioFile> {
  const start = options.start ?? root;
  const fail = (path: string, error: Error) => {
    if (options.onBadName && isUndecodableName(path, error)) options.onBadName(toRelPath(root, path));
    else options.onError?.(path, error);
  };
  const visited = new Set<string>([start]);
  const pending: string[] = [start];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let entries;
    try {
      entries = await opendir(dir);
    } catch (error) {
      if (dir === start) throw error;
      fail(dir, error as Error);
      continue;
    }
    const listing: FolderListing = { relDir: toRelPath(root, dir), images: [], subdirs: [], playlists: [] };
    const audio: Array<{ path: string; realPath: string; mimeType: string }> = [];
    for await (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // hidden files, AppleDouble "._x.mp3"
      const path = join(dir, entry.name);
      let realPath = path;
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          realPath = await realpath(path);
          const info = await stat(realPath);
          isDirectory = info.isDirectory();
          isFile = info.isFile();
        } catch (error) {
          fail(path, error as Error); // dangling link
          continue;
        }
        if (!isInside(root, realPath) || realPath === root) continue;
      }
      if (isDirectory) {
        const relDir = toRelPath(root, realPath);
        listing.subdirs.push(relDir);
        if (!visited.has(realPath) && (options.descend?.(relDir) ?? true)) {
          visited.add(realPath);
          pending.push(realPath);
        }
        continue;
      }
      if (!isFile) continue;
      const mimeType = audioMimeType(entry.name);
      if (mimeType) audio.push({ path, realPath, mimeType });
      else if (isImageFile(entry.name)) listing.images.push(entry.name);
      else if (playlistFormatOf(entry.name)) listing.playlists.push({ name: entry.name, realPath });
    }
    // The folder's files are stat'ed together: one round trip through the thread pool, not one each.
    for (let i = 0; i < audio.length; i += STAT_BATCH) {
      const batch = audio.slice(i, i + STAT_BATCH);
      const infos = await Promise.allSettled(batch.map((file) => stat(file.realPath)));
      for (let j = 0; j < batch.length; j++) {
        const { path, realPath, mimeType } = batch[j]!;
        const info = infos[j]!;
        if (info.status === 'rejected') fail(path, info.reason as Error);
        else yield { realPath, relPath: toRelPath(root, path), size: info.value.size, mtimeMs: info.value.mtimeMs, ino: info.value.ino, mimeType };
      }
    }
    options.onFolder?.(listing);
  }
}
