/**
 * The file-system calls the stream plugin makes, behind one interface so tests can observe or
 * fail them (`StreamPluginOptions.fs`), and Node's implementation of it on raw fds.
 */
import { close, constants as fsConstants, fstat, lstat, lstatSync, open, read, readlink, realpath, type Stats } from 'node:fs';

export interface StreamFs {
  lstat(path: string): Promise<Stats>;
  /** lstat on the calling thread; undefined when the path does not exist. */
  lstatSync(path: string): Stats | undefined;
  open(path: string, flags: number): Promise<number>;
  fstat(fd: number): Promise<Stats>;
  read(fd: number, buffer: Buffer, length: number, position: number): Promise<number>;
  close(fd: number): Promise<void>;
  realpath(path: string): Promise<string>;
  /** The real path of an open fd, or undefined where the platform cannot tell. */
  fdPath(fd: number, path: string): Promise<string | undefined>;
}

/**
 * How media files are opened (tracks and covers). O_NOFOLLOW: a file replaced by a symbolic
 * link after the scan is refused (ELOOP) instead of followed out of the media folder.
 * O_NONBLOCK: opening a FIFO planted in the folder must not hang a thread-pool thread (it is a
 * no-op for regular files).
 */
export const GUARDED_OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0);

const promisified = <T>(call: (cb: (error: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => call((error, value) => (error ? reject(error) : resolve(value))));

const hasProcFd = process.platform === 'linux';

export const nodeStreamFs: StreamFs = {
  lstat: (path) => promisified<Stats>((cb) => lstat(path, cb)),
  lstatSync: (path) => lstatSync(path, { throwIfNoEntry: false }),
  open: (path, flags) => promisified<number>((cb) => open(path, flags, cb)),
  fstat: (fd) => promisified<Stats>((cb) => fstat(fd, cb)),
  read: (fd, buffer, length, position) => promisified<number>((cb) => read(fd, buffer, 0, length, position, cb)),
  realpath: (path) => promisified<string>((cb) => realpath(path, cb)),
  close: (fd) => promisified<void>((cb) => close(fd, (error) => cb(error, undefined))),
  fdPath: (fd, path) =>
    hasProcFd
      ? promisified<string>((cb) => readlink(`/proc/self/fd/${fd}`, cb))
      : promisified<string>((cb) => realpath(path, cb)),
};

/** The path names no file (any more), or names it through a link we refuse to follow. */
export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP';
}
