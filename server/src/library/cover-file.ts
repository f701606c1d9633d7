/**
 * Reading a cover's source file with the stream plugin's guards: the file must be, at read time,
 * the very regular file inside the media folder that the cover's version was computed from.
 *
 * - The path is resolved (`realpath`) and must lie inside the real media folder; then lstat of
 *   the real path must show a regular file (a link, a FIFO, a device, a folder is no cover).
 * - It is opened with O_NOFOLLOW (a file swapped for a link meanwhile is refused) and O_NONBLOCK
 *   (a FIFO swapped in meanwhile cannot hang a thread-pool thread), then fstat must show a
 *   regular file with the same identity (device, inode, size, times), and the kernel's own path
 *   of the fd (`/proc/self/fd`) must lie inside the media folder (no parent folder became a link).
 *
 * An image's identity names what is cached from it (thumbnails, an extracted embedded picture,
 * the verdict "corrupt"), so nothing made from another file is ever served for this one.
 */
import type { Stats } from 'node:fs';
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises';
import { FileTokenizer } from 'strtok3';
import { GUARDED_OPEN_FLAGS, isMissing, nodeStreamFs } from '../stream/stream-fs.js';

/**
 * Why a source could not be read. `missing`: gone, not a regular file, or outside the media
 * folder (never "corrupt": nothing was decoded). `unavailable`: the file system failed (the
 * media folder unmounted, a permission, an I/O error). `changed`: another file than the one the
 * version names.
 */
export type SourceFailure = 'missing' | 'unavailable' | 'changed';

export class CoverSourceError extends Error {
  constructor(
    readonly failure: SourceFailure,
    message: string,
  ) {
    super(message);
  }
}

function sourceError(error: unknown): CoverSourceError {
  if (error instanceof CoverSourceError) return error;
  return new CoverSourceError(isMissing(error) ? 'missing' : 'unavailable', (error as Error).message);
}

/** What identifies one version of a file: any rewrite, replacement or swap changes it. */
export function fileIdentity(stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

/** A regular file inside the media folder, as lstat sees it now. */
export interface SourceFile {
  /** Real path (inside the media folder). */
  path: string;
  stats: Stats;
}

/**
 * Resolves `path` and lstats the result: the file it names if that is a regular file inside
 * `rootPrefix` (the real media folder with a trailing separator). Reads nothing.
 */
export async function locateSource(path: string, rootPrefix: string): Promise<SourceFile> {
  try {
    const real = await realpath(path);
    if (!real.startsWith(rootPrefix)) throw new CoverSourceError('missing', 'outside the media folder');
    const stats = await lstat(real);
    if (!stats.isFile()) throw new CoverSourceError('missing', 'not a regular file');
    return { path: real, stats };
  } catch (error) {
    throw sourceError(error);
  }
}

/**
 * Opens the source for reading, only if it still is the file `identity` names (see the module
 * comment). The caller closes the handle.
 */
export async function openSource(source: SourceFile, rootPrefix: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(source.path, GUARDED_OPEN_FLAGS);
  } catch (error) {
    throw sourceError(error);
  }
  try {
    const [stats, realPath] = await Promise.all([handle.stat(), nodeStreamFs.fdPath(handle.fd, source.path)]);
    if (!stats.isFile()) throw new CoverSourceError('missing', 'not a regular file');
    if (realPath !== undefined && !realPath.startsWith(rootPrefix)) throw new CoverSourceError('missing', 'outside the media folder');
    if (fileIdentity(stats) !== fileIdentity(source.stats)) throw new CoverSourceError('changed', 'the file changed');
    return handle;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw sourceError(error);
  }
}

/** The whole file, read through an open handle (at most `size` bytes: the size its identity says). */
export async function readSource(handle: FileHandle, size: number): Promise<Buffer> {
  const data = Buffer.allocUnsafe(size);
  let filled = 0;
  try {
    while (filled < size) {
      const { bytesRead } = await handle.read(data, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
  } catch (error) {
    throw sourceError(error);
  }
  // Shorter than its stat said: it is being rewritten.
  if (filled !== size) throw new CoverSourceError('changed', 'the file shrank while read');
  return data;
}

/**
 * A music-metadata tokenizer over a handle we opened ourselves (music-metadata's `parseFile`
 * would open the path again, following links and blocking on a FIFO). Closing the tokenizer
 * closes the handle.
 */
export class HandleTokenizer extends FileTokenizer {
  constructor(handle: FileHandle, source: SourceFile, mimeType: string) {
    super(handle, { fileInfo: { path: source.path, size: source.stats.size, mimeType } });
  }
}
