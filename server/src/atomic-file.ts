/**
 * Crash-safe small files (sessions, password, pairing links): write a temporary file in the same
 * folder, fsync it, rename it over the old one, fsync the folder. A `kill -9` or a power cut
 * leaves the old file or the new one, never half of either. The library index does the same for
 * its large file, streamed (library/index-store.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await replaceFile(file, tmp, mode, (handle) => handle.writeFile(data));
}

/**
 * Writes `tmp` through `write`, fsyncs it and renames it over `file`; on failure `tmp` is removed
 * and `file` untouched. The folder must exist.
 */
export async function replaceFile(file: string, tmp: string, mode: number, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const handle = await open(tmp, 'w', mode);
  try {
    await write(handle);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(tmp, file);
  await syncFolder(dirname(file));
}

/** fsync on a folder makes a rename in it durable (POSIX leaves it to the folder's metadata). */
export async function syncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on folders; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}
