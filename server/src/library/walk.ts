/**
 * Walks the media folder for audio files. Links are followed only while they stay inside the
 * folder (a link out of it, e.g. to /etc, is ignored), and each real directory is visited once,
 * so link loops end.
 */
import { opendir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { audioMimeType } from '../http/content-type.js';
import type { AudioFile } from './record.js';

export function isInside(root: string, realPath: string): boolean {
  return realPath === root || realPath.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Path relative to the root, with `/` separators whatever the platform. */
export function toRelPath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

export interface WalkOptions {
  /** Called for entries that cannot be read; the walk goes on. */
  onError?: (path: string, error: Error) => void;
}

/**
 * @param root the real (symlink-resolved) absolute media folder.
 */
export async function* walkAudioFiles(root: string, options: WalkOptions = {}): AsyncGenerator<AudioFile> {
  const visited = new Set<string>([root]);
  const pending: string[] = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let entries;
    try {
      entries = await opendir(dir);
    } catch (error) {
      options.onError?.(dir, error as Error);
      continue;
    }
    for await (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // hidden files, AppleDouble "._x.mp3", our own index
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
          options.onError?.(path, error as Error); // dangling link
          continue;
        }
        if (!isInside(root, realPath)) continue;
      }
      if (isDirectory) {
        if (!visited.has(realPath)) {
          visited.add(realPath);
          pending.push(realPath);
        }
        continue;
      }
      if (!isFile) continue;
      const mimeType = audioMimeType(entry.name);
      if (!mimeType) continue;
      try {
        const info = await stat(realPath);
        yield { realPath, relPath: toRelPath(root, path === realPath ? realPath : path), size: info.size, mtimeMs: info.mtimeMs, mimeType };
      } catch (error) {
        options.onError?.(path, error as Error);
      }
    }
  }
}
