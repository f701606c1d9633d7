/**
 * The open-file table: path -> the current version of the file (`FileEntry`: fd, stat,
 * validators, header values, the first 64 KiB), reused while an `lstat` of the path shows the
 * same file unchanged (same device, inode, size, mtime, ctime); the lstat is repeated once it
 * is `statFreshMs` old. A changed or replaced file gets a new entry with a new ETag; the old
 * fd is closed when its last body ends; idle fds close after `idleCloseMs`; at most
 * `maxOpenFiles` entries stay, the least recently used idle one going first.
 *
 * Every check that keeps a request inside the media folder happens here: lstat (a link is not a
 * regular file), realpath once per version (no parent folder became a link), O_NOFOLLOW and a
 * check of the open fd itself (a file swapped in between the stat and the open).
 */
import type { Stats } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import { FileEntry } from './file-entry.js';
import { GUARDED_OPEN_FLAGS, isMissing, type StreamFs } from './stream-fs.js';

/**
 * The first bytes of each open file are kept in memory: every track start on iOS reads
 * `bytes=0-1`, then usually the first tens of kilobytes (tags, the first frames).
 */
export const HEAD_BYTES = 64 * 1024;

/** How long after an lstat a file counts as warm (see `OpenFiles.lookup`). */
const WARM_MS = 1000;

/**
 * How long an lstat stays fresh. Under load (many devices starting tracks at once, or a player's
 * burst of range requests) the per-request lstat was ~3.5 µs of a ~27 µs probe: 13% of the hot
 * path. A change to a file is still seen within 20 ms, which nothing a person does can notice
 * (nginx's open_file_cache, when enabled, trusts its stat for 60 s). Meanwhile the version
 * already open is served whole: its validators with its own bytes (the cached head, the fd of
 * its inode), so a response never pairs an old ETag with a replacement file's bytes.
 */
export const DEFAULT_STAT_FRESH_MS = 20;

/** The file must not be served: it lies outside the media folder. */
export class NotServable extends Error {}

/** The path holds another file than the one its entry was made for: look it up again. */
export class FileReplaced extends Error {}

export interface OpenFilesOptions {
  fs: StreamFs;
  /** The real media folder with a trailing separator. */
  rootPrefix: string;
  /** An fd no request used for this long is closed; 0 closes it after every response. */
  idleCloseMs: number;
  /** At most this many files stay open between requests. */
  maxOpenFiles: number;
  /** A file whose last lstat is younger than this is taken as unchanged without another one. */
  statFreshMs: number;
  log: FastifyBaseLogger;
}

export class OpenFiles {
  readonly #entries = new Map<string, FileEntry>();
  readonly #timer: NodeJS.Timeout | undefined;
  /** Closes under way, so `close()` can wait for them. */
  readonly #closing = new Set<Promise<void>>();
  private readonly fs: StreamFs;
  private readonly rootPrefix: string;
  private readonly idleCloseMs: number;
  private readonly maxOpenFiles: number;
  private readonly statFreshMs: number;
  private readonly log: FastifyBaseLogger;

  constructor(options: OpenFilesOptions) {
    this.fs = options.fs;
    this.rootPrefix = options.rootPrefix;
    this.idleCloseMs = options.idleCloseMs;
    this.maxOpenFiles = options.maxOpenFiles;
    this.statFreshMs = options.statFreshMs;
    this.log = options.log;
    if (this.idleCloseMs > 0) {
      this.#timer = setInterval(() => this.#sweep(), Math.max(this.idleCloseMs / 2, 100));
      this.#timer.unref();
    }
  }

  /**
   * The current version of a file, or undefined when it is missing, not a regular file or a
   * symbolic link. Never opens the file (HEAD and 304 must not: they only need its stat).
   */
  async lookup(path: string, mimeType: string): Promise<FileEntry | undefined> {
    const cached = this.#entries.get(path);
    const checkedAt = performance.now();
    let stats: Stats | undefined;
    try {
      // A file stat'ed within the last second has its inode in the kernel's cache: an lstat of
      // it is a microsecond-scale lookup that cannot wait on the disk, far cheaper inline than
      // a round trip through the thread pool (which costs two context switches and, on a
      // small machine, most of the time of a `bytes=0-1` request). A cold file goes through the
      // thread pool, so a slow disk or network mount never stalls the event loop.
      stats = cached && checkedAt - cached.checkedAt < WARM_MS ? this.fs.lstatSync(path) : await this.fs.lstat(path);
    } catch (error) {
      if (isMissing(error)) stats = undefined;
      else throw error;
    }
    // Re-read the table after every await: concurrent requests for the same file share one
    // entry, and an entry replaced in the table is always retired (its fd closed), never lost.
    let entry = this.#entries.get(path);
    // lstat does not follow a final symbolic link: a link is not a regular file.
    if (!stats?.isFile()) {
      if (entry) this.#retire(entry);
      return undefined;
    }
    if (entry === undefined || !entry.matches(stats, mimeType)) {
      // A new file or a new version: make sure no parent folder became a link out of the root
      // (O_NOFOLLOW and lstat only see the last component). Once per version, not per request.
      if (!(await this.fs.realpath(path)).startsWith(this.rootPrefix)) throw new NotServable('file outside the media folder');
      entry = this.#entries.get(path);
      if (entry === undefined || !entry.matches(stats, mimeType)) {
        if (entry) this.#retire(entry);
        entry = new FileEntry(path, mimeType, stats);
        this.#entries.set(path, entry);
        if (this.#entries.size > this.maxOpenFiles) this.#evictOne(entry);
      }
    }
    entry.checkedAt = checkedAt;
    entry.lastUsed = performance.now();
    return entry;
  }

  /**
   * The hot path, with no promise and no await: the entry of a file stat'ed within
   * `statFreshMs` as it is, or of a warm file (stat'ed within `WARM_MS`) that a synchronous
   * lstat shows unchanged. Anything else (cold, changed, gone, an error) gives undefined, and
   * the caller takes `lookup`, which handles every case.
   */
  currentIfWarm(path: string, mimeType: string): FileEntry | undefined {
    const entry = this.#entries.get(path);
    if (entry === undefined || entry.mimeType !== mimeType) return undefined;
    const now = performance.now();
    const age = now - entry.checkedAt;
    if (age >= WARM_MS) return undefined;
    if (age >= this.statFreshMs) {
      let stats: Stats | undefined;
      try {
        stats = this.fs.lstatSync(path);
      } catch {
        return undefined;
      }
      if (stats === undefined || !stats.isFile() || !entry.matches(stats, mimeType)) return undefined;
      entry.checkedAt = now;
    }
    entry.lastUsed = now;
    return entry;
  }

  /** An fd for reading the entry's body; pair with `release`. */
  async acquire(entry: FileEntry): Promise<number> {
    entry.refs++;
    try {
      entry.fd ??= this.#open(entry);
      return await entry.fd;
    } catch (error) {
      entry.refs--;
      entry.fd = undefined;
      this.#retire(entry);
      throw error;
    }
  }

  release(entry: FileEntry): void {
    entry.refs--;
    entry.lastUsed = performance.now();
    if (entry.refs === 0 && (entry.retired || this.idleCloseMs === 0)) this.#closeFd(entry);
  }

  /** The first bytes of the file, read once per version of the file. */
  head(entry: FileEntry): Promise<Buffer | undefined> {
    entry.head ??= this.#readHead(entry).catch((error: unknown) => {
      entry.head = undefined;
      throw error;
    });
    return entry.head;
  }

  /**
   * Closes every fd no body is reading and resolves once they are closed; an fd a body is
   * still reading closes when that body ends.
   */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    for (const entry of [...this.#entries.values()]) this.#retire(entry);
    await Promise.all(this.#closing);
  }

  async #readHead(entry: FileEntry): Promise<Buffer | undefined> {
    const fd = await this.acquire(entry);
    try {
      const length = Math.min(HEAD_BYTES, entry.size);
      const buffer = Buffer.allocUnsafeSlow(length);
      const bytesRead = await this.fs.read(fd, buffer, length, 0);
      // Shorter than its stat said: it is being rewritten; read it the normal way.
      if (bytesRead !== length) return undefined;
      entry.headBytes = buffer;
      return buffer;
    } finally {
      this.release(entry);
    }
  }

  async #open(entry: FileEntry): Promise<number> {
    const fd = await this.fs.open(entry.path, GUARDED_OPEN_FLAGS);
    try {
      // The fd must be the very file the lstat saw (not a file swapped in between), and it
      // must really sit inside the root: O_NOFOLLOW only guards the last path component, so a
      // parent folder replaced by a link is caught here, from the kernel's own view of the fd.
      const [stats, realPath] = await Promise.all([this.fs.fstat(fd), this.fs.fdPath(fd, entry.path)]);
      if (stats.ino !== entry.stats.ino || stats.dev !== entry.stats.dev) throw new FileReplaced('file replaced while opening');
      if (realPath !== undefined && !realPath.startsWith(this.rootPrefix)) throw new NotServable('file outside the media folder');
      return fd;
    } catch (error) {
      await this.fs.close(fd).catch(() => undefined);
      throw error;
    }
  }

  #retire(entry: FileEntry): void {
    entry.retired = true;
    if (this.#entries.get(entry.path) === entry) this.#entries.delete(entry.path);
    if (entry.refs === 0) this.#closeFd(entry);
  }

  #closeFd(entry: FileEntry): void {
    const fd = entry.fd;
    entry.fd = undefined;
    if (!fd) return;
    const closing = fd
      .then(
        (n) => this.fs.close(n),
        () => undefined,
      )
      .catch((error: unknown) => this.log.warn({ err: error, path: entry.path }, 'closing a media file failed'))
      .finally(() => this.#closing.delete(closing));
    this.#closing.add(closing);
  }

  /**
   * Keeps the table within `maxOpenFiles` once `newcomer` joined it: the least recently used
   * entry that no body is reading goes (its fd closes now). If every other entry is being read,
   * the least recently used of them is retired instead: out of the table at once, its fd closed
   * when its last body ends. The newcomer is never the victim: it is about to be used.
   */
  #evictOne(newcomer: FileEntry): void {
    let idle: FileEntry | undefined;
    let busy: FileEntry | undefined;
    for (const entry of this.#entries.values()) {
      if (entry === newcomer) continue;
      if (entry.refs === 0) {
        if (!idle || entry.lastUsed < idle.lastUsed) idle = entry;
      } else if (!busy || entry.lastUsed < busy.lastUsed) busy = entry;
    }
    const victim = idle ?? busy;
    if (victim) this.#retire(victim);
  }

  #sweep(): void {
    const cutoff = performance.now() - this.idleCloseMs;
    for (const entry of [...this.#entries.values()]) {
      if (entry.refs === 0 && entry.lastUsed < cutoff) this.#retire(entry);
    }
  }
}
