/**
 * The stream plugin: `GET` and `HEAD /stream/:id`, Range-aware (RFC 9110 §14), conditional
 * (§13), never chunked, never compressed. The HTTP rules live in `../http/` as pure functions;
 * this file does the I/O: stat, open, read, write.
 *
 * Performance notes. iOS opens every track with `Range: bytes=0-1`, then seeks with more range
 * requests, so per-request cost matters more than raw throughput:
 * - open files are kept in a small table (path -> fd, stat, validators, header values, the
 *   first 64 KiB) and reused while an `lstat` of the path shows the same file unchanged (same
 *   device, inode, size, mtime, ctime); the lstat is repeated once it is 20 ms old. A changed
 *   or replaced file gets a new entry with a new ETag within those 20 ms; the old fd is closed
 *   when its last stream ends; idle fds close after `idleCloseMs`. A warm `bytes=0-1` thus
 *   costs at most one lstat and no thread-pool round trip at all, and is answered within the
 *   handler call: no promise, no await (together ~15% of a probe's cost when they were there);
 * - the reply is written with `reply.hijack()` + `res.writeHead()`: Fastify's reply pipeline
 *   (serialization, onSend hooks) has nothing to do for bytes, and bypassing it is also what
 *   guarantees no compression hook can touch the audio. Headers other hooks set with
 *   `reply.header()` are carried over;
 * - bodies are read with positioned reads into pooled buffers (up to 1 MiB when few bodies are
 *   in flight, 64 KiB when many are) and written with backpressure: the next read starts only
 *   when the socket has taken the last chunk, so a slow client holds at most one chunk.
 */
import { constants as fsConstants, close, fstat, lstat, lstatSync, open, read, readlink, realpath, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sep } from 'node:path';
import { ErrorSchema, IdParamsSchema } from '@musicsharer/shared/schemas';
import type { FastifyBaseLogger, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { fileEntityTag } from '../http/etag.js';
import { multipartByteranges } from '../http/multipart.js';
import { evaluatePreconditions, formatHttpDate } from '../http/preconditions.js';
import { contentRange, parseRange, rangeLength, unsatisfiedRange, type ByteRange, type RangeResult } from '../http/range.js';

/** The file-system calls the plugin makes, injectable so tests can count or fail them. */
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

export interface StreamPluginOptions {
  /** The real (symlink-resolved) absolute media folder. */
  root: string;
  /** A track id -> the real absolute path of its audio file (inside root) and its MIME type. */
  resolve(id: string): { path: string; mimeType: string } | undefined;
  /** Replaces the file-system calls (tests). */
  fs?: StreamFs;
  /** An fd no request used for this long is closed. 0 closes it after every response. Default 5 s. */
  idleCloseMs?: number;
  /** At most this many files stay open between requests. Default 64. */
  maxOpenFiles?: number;
  /** Range-specs allowed in one Range header before it is ignored (§14.2). Default 32. */
  maxRanges?: number;
  /**
   * A file whose last lstat is younger than this is taken as unchanged without another one.
   * Default `DEFAULT_STAT_FRESH_MS`; 0 stats on every request.
   */
  statFreshMs?: number;
}

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

/**
 * O_NOFOLLOW: a file replaced by a symbolic link after the scan is refused (ELOOP) instead of
 * followed out of the media folder. O_NONBLOCK: opening a FIFO planted in the folder must not
 * hang a thread-pool thread (it is a no-op for regular files).
 */
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0);

/**
 * The first bytes of each open file are kept in memory: every track start on iOS reads
 * `bytes=0-1`, then usually the first tens of kilobytes (tags, the first frames).
 */
const HEAD_BYTES = 64 * 1024;

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

// --- The open-file table ------------------------------------------------------------------

/** One version of one file: its validators, header values and (once a body was read) its fd. */
class FileEntry {
  readonly etag: string;
  readonly lastModifiedMs: number;
  readonly lastModified: string;
  readonly size: number;
  /** Header pairs every 200/206/304/416 of this version carries (§14.3 Accept-Ranges: every answer). */
  readonly common: readonly string[];
  fd: Promise<number> | undefined;
  /** The first `HEAD_BYTES` of the file (fewer if it is shorter), once read. */
  head: Promise<Buffer | undefined> | undefined;
  /** The same bytes once read, for a synchronous look-up on the hot path. */
  headBytes: Buffer | undefined;
  /** Bodies being read from `fd`. */
  refs = 0;
  /** `performance.now()` of the last request or body that used it. */
  lastUsed = 0;
  /** When an lstat last showed this version current (`performance.now()`: monotonic). */
  checkedAt = -Infinity;
  /** No longer in the table: close `fd` once `refs` drops to 0. */
  retired = false;

  constructor(
    readonly path: string,
    readonly mimeType: string,
    readonly stats: Stats,
  ) {
    this.size = stats.size;
    this.etag = fileEntityTag(stats);
    this.lastModifiedMs = stats.mtimeMs;
    this.lastModified = formatHttpDate(stats.mtimeMs);
    this.common = [
      'Accept-Ranges', 'bytes',
      'ETag', this.etag,
      'Last-Modified', this.lastModified,
      // Clients revalidate on every use (§5.2.2.4 of RFC 9111): never a retagged file from a stale cache.
      'Cache-Control', 'no-cache',
      'X-Content-Type-Options', 'nosniff',
    ];
  }

  #lastRange: { start: number; end: number; fields: string[] } | undefined;
  #lastRangeHeader: string | undefined;
  #lastRanges: Readonly<RangeResult> = 'ignore';

  /**
   * The `Range` field parsed against this version's size (never mutate the answer). The last
   * field value's answer is kept: a parse is a handful of strings and objects, and every iOS
   * track start sends the same `bytes=0-1`.
   */
  ranges(header: string, maxRanges: number | undefined): Readonly<RangeResult> {
    if (header !== this.#lastRangeHeader) {
      this.#lastRanges = parseRange(header, this.size, { maxRanges });
      this.#lastRangeHeader = header;
    }
    return this.#lastRanges;
  }

  /**
   * Every header field of a single-range 206 (never mutate the array). The last one is kept:
   * each iOS track start asks for `bytes=0-1`, and players re-ask the same ranges.
   */
  singleRangeFields(range: ByteRange): string[] {
    const last = this.#lastRange;
    if (last !== undefined && last.start === range.start && last.end === range.end) return last.fields;
    const fields = [
      ...this.common,
      'Content-Type', this.mimeType,
      'Content-Length', String(rangeLength(range)),
      'Content-Range', contentRange(range, this.size),
    ];
    this.#lastRange = { start: range.start, end: range.end, fields };
    return fields;
  }

  /** Same file, same content as far as the file system can tell. */
  matches(stats: Stats, mimeType: string): boolean {
    const s = this.stats;
    return (
      stats.ino === s.ino && stats.dev === s.dev && stats.size === s.size &&
      stats.mtimeMs === s.mtimeMs && stats.ctimeMs === s.ctimeMs && mimeType === this.mimeType
    );
  }
}

class NotServable extends Error {}

/** The path holds another file than the one its entry was made for: look it up again. */
class FileReplaced extends Error {}

class OpenFiles {
  readonly #entries = new Map<string, FileEntry>();
  readonly #timer: NodeJS.Timeout | undefined;
  /** Closes under way, so `close()` can wait for them. */
  readonly #closing = new Set<Promise<void>>();

  constructor(
    private readonly fs: StreamFs,
    /** The real media folder with a trailing separator. */
    private readonly rootPrefix: string,
    private readonly idleCloseMs: number,
    private readonly maxOpenFiles: number,
    private readonly statFreshMs: number,
    private readonly log: FastifyBaseLogger,
  ) {
    if (idleCloseMs > 0) {
      this.#timer = setInterval(() => this.#sweep(), Math.max(idleCloseMs / 2, 100));
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

  /** The first bytes of the file, read once per version of the file. */
  head(entry: FileEntry): Promise<Buffer | undefined> {
    entry.head ??= this.#readHead(entry).catch((error: unknown) => {
      entry.head = undefined;
      throw error;
    });
    return entry.head;
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

  release(entry: FileEntry): void {
    entry.refs--;
    entry.lastUsed = performance.now();
    if (entry.refs === 0 && (entry.retired || this.idleCloseMs === 0)) this.#closeFd(entry);
  }

  /** Closes every fd no body is reading, and resolves once they are closed (the others close when their body ends). */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    for (const entry of [...this.#entries.values()]) this.#retire(entry);
    await Promise.all(this.#closing);
  }

  async #open(entry: FileEntry): Promise<number> {
    const fd = await this.fs.open(entry.path, OPEN_FLAGS);
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

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP';
}

// --- Writing bodies -----------------------------------------------------------------------

/** A part of a response body: literal bytes (multipart framing) or a range of the file. */
type Segment = Buffer | ByteRange;

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Read buffers, reused: a fresh large buffer costs page faults and zeroing by the kernel on
 * every request, about as much as the copy itself. A buffer returns to the pool only once the
 * socket has taken all of it (the write callback), never while the kernel may still read it.
 */
class BufferPool {
  readonly #free: Buffer[] = [];
  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}
  take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }
  give(buffer: Buffer): void {
    if (this.#free.length < this.keep) this.#free.push(buffer);
  }
  trim(): void {
    this.#free.length = 0;
  }
}

/**
 * Chunk size by the number of bodies being written at once, process-wide. Big reads mean
 * fewer syscalls and thread-pool round trips; but a client that stops reading pins its last
 * chunk until it drains, so many concurrent bodies get small chunks. Memory pinned by bodies
 * stays under about 16 MiB + 16 MiB + 64 KiB per body (200 stalled clients: ~45 MiB). Each
 * pool keeps as many buffers as its class can have in flight, so a steady load allocates
 * nothing (fresh external memory is also what drives V8 into full collections); the pools are
 * emptied once no body has been written for a while.
 */
const POOLS = [
  { maxBodies: 16, pool: new BufferPool(1 * MiB, 16) },
  { maxBodies: 64, pool: new BufferPool(256 * KiB, 48) },
  { maxBodies: Infinity, pool: new BufferPool(64 * KiB, 64) },
] as const;
const POOL_IDLE_MS = 10_000;

let activeBodies = 0;
let trimTimer: NodeJS.Timeout | undefined;

function bodyEnded(): void {
  activeBodies--;
  if (activeBodies === 0 && trimTimer === undefined) {
    trimTimer = setTimeout(() => {
      trimTimer = undefined;
      if (activeBodies === 0) for (const { pool } of POOLS) pool.trim();
    }, POOL_IDLE_MS);
    trimTimer.unref();
  }
}

/** Resolves once `res` can take more data, or has closed (then `res.destroyed` is true). */
function writable(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes the segments to `res`, reading file ranges from `fd` chunk by chunk, each read issued
 * only once the socket has accepted the previous chunk (backpressure). Returns when the body is
 * complete or the client went away: a client closing early is normal, not an error.
 */
async function writeBody(res: ServerResponse, fsOps: StreamFs, fd: number, segments: readonly Segment[], log: FastifyBaseLogger, path: string): Promise<void> {
  activeBodies++;
  try {
    for (const segment of segments) {
      if (res.destroyed) return;
      if (Buffer.isBuffer(segment)) {
        if (!res.write(segment)) await writable(res);
        continue;
      }
      let position = segment.start;
      while (position <= segment.end) {
        const { pool } = POOLS.find((p) => activeBodies <= p.maxBodies)!;
        const buffer = pool.take();
        const length = Math.min(buffer.length, segment.end - position + 1);
        let bytesRead: number;
        try {
          bytesRead = await fsOps.read(fd, buffer, length, position);
        } catch (error) {
          pool.give(buffer);
          log.warn({ err: error, path }, 'reading a media file failed mid-response');
          res.destroy();
          return;
        }
        if (res.destroyed) {
          pool.give(buffer);
          return;
        }
        if (bytesRead === 0) {
          // The file shrank under us: the promised Content-Length cannot be met. Cut the
          // connection so the client sees a truncated response, never wrong bytes.
          pool.give(buffer);
          log.warn({ path }, 'media file shrank while being sent');
          res.destroy();
          return;
        }
        position += bytesRead;
        const last = position > segment.end && segment === segments.at(-1);
        const done = (error?: Error | null) => {
          if (!error) pool.give(buffer);
        };
        if (last) {
          res.end(buffer.subarray(0, bytesRead), done);
          return;
        }
        if (!res.write(buffer.subarray(0, bytesRead), done)) {
          await writable(res);
          if (res.destroyed) return;
        }
      }
    }
    res.end();
  } finally {
    bodyEnded();
  }
}

// --- The plugin ---------------------------------------------------------------------------

interface IdParams {
  id: string;
}

const streamPlugin: FastifyPluginAsync<StreamPluginOptions> = async (app, options) => {
  const fsOps = options.fs ?? nodeStreamFs;
  // `/media` -> `/media/`: a path is inside the root if it starts with this.
  const rootPrefix = options.root.endsWith(sep) ? options.root : options.root + sep;
  const files = new OpenFiles(
    fsOps, rootPrefix, options.idleCloseMs ?? 5000, options.maxOpenFiles ?? 64, options.statFreshMs ?? DEFAULT_STAT_FRESH_MS, app.log,
  );
  const maxRanges = options.maxRanges;
  app.addHook('onClose', () => files.close());

  /** A JSON error through Fastify's normal reply (and its serializer), with Accept-Ranges. */
  const fail = (reply: FastifyReply, statusCode: 400 | 404 | 412 | 416, error: string, message: string, headers: Record<string, string> = {}) =>
    reply
      .code(statusCode)
      .header('Accept-Ranges', 'bytes')
      .headers(headers)
      .send({ statusCode, error, message });

  /**
   * Synchronous up to the point where the file must be stat'ed the slow way or read: a warm
   * probe, HEAD, 304, 412 or 416 is answered within this call, without a promise (Fastify
   * then has no thenable to wait for). Returns a promise only when there is I/O to wait on.
   */
  function handle(request: FastifyRequest<{ Params: IdParams }>, reply: FastifyReply): Promise<FastifyReply> | undefined {
    // An id that fails the pattern (`..%2f..%2fetc%2fpasswd` decodes to `../../etc/passwd`)
    // never reaches resolve().
    if (request.validationError) {
      fail(reply, 400, 'Bad Request', 'invalid track id');
      return undefined;
    }
    const target = options.resolve(request.params.id);
    // The library promises a real path inside the root; check anyway, it is cheap.
    if (target && (!target.path.startsWith(rootPrefix) || target.path.includes('\0'))) {
      request.log.warn({ id: request.params.id, path: target.path }, 'refusing a track path outside the media folder');
    } else if (target) {
      const warm = files.currentIfWarm(target.path, target.mimeType);
      return warm ? respond(request, reply, warm) : lookupThenRespond(request, reply, target);
    }
    fail(reply, 404, 'Not Found', 'track not found');
    return undefined;
  }

  /** `retried`: the first answer found the file replaced (see `openFailed`). */
  async function lookupThenRespond(request: FastifyRequest, reply: FastifyReply, target: { path: string; mimeType: string }, retried = false): Promise<FastifyReply> {
    let entry: FileEntry | undefined;
    try {
      entry = await files.lookup(target.path, target.mimeType);
    } catch (error) {
      if (error instanceof NotServable) request.log.warn({ path: target.path, reason: error.message }, 'refusing to serve a media file');
      else if (!isMissing(error)) request.log.error({ err: error, path: target.path }, 'reading the status of a media file failed');
      return fail(reply, 404, 'Not Found', 'track not found');
    }
    if (!entry) {
      request.log.info({ path: target.path }, 'track file is gone or not a regular file');
      return fail(reply, 404, 'Not Found', 'track not found');
    }
    return (await respond(request, reply, entry, retried)) ?? reply;
  }

  /**
   * Answers from the current version of the file; a promise only when the file must be read.
   * The reply is hijacked only once the answer is certain: a file found replaced when it is
   * opened is looked up again and answered through Fastify's normal reply.
   */
  function respond(request: FastifyRequest, reply: FastifyReply, entry: FileEntry, retried = false): Promise<FastifyReply> | undefined {
    const headers = request.headers;
    const range = headers.range;
    const outcome = evaluatePreconditions(
      {
        method: request.method,
        ifMatch: headers['if-match'],
        ifNoneMatch: headers['if-none-match'],
        ifModifiedSince: headers['if-modified-since'],
        ifUnmodifiedSince: headers['if-unmodified-since'],
        ifRange: single(headers['if-range']),
        hasRange: range !== undefined,
      },
      { etag: entry.etag, lastModified: entry.lastModifiedMs },
    );
    if (outcome === 412) {
      fail(reply, 412, 'Precondition Failed', 'the track has changed', { ETag: entry.etag });
      return undefined;
    }

    const res = reply.raw;
    if (outcome === 304) {
      // §15.4.5: a 304 carries the fields a 200 would have had that describe the
      // representation's validators and caching, and no content.
      reply.hijack();
      res.writeHead(304, withExtras(reply, entry.common));
      res.end();
      return undefined;
    }

    const ranges = outcome === 'range' && range !== undefined ? entry.ranges(range, maxRanges) : 'ignore';
    if (ranges === 'unsatisfiable') {
      // §15.5.17: 416 with the current length in Content-Range.
      fail(reply, 416, 'Range Not Satisfiable', 'no requested range overlaps the track', {
        'Content-Range': unsatisfiedRange(entry.size),
        ETag: entry.etag,
      });
      return undefined;
    }

    let status: 200 | 206;
    let fields: string[];
    let segments: readonly Segment[];
    if (ranges === 'ignore') {
      status = 200;
      fields = [...entry.common, 'Content-Type', entry.mimeType, 'Content-Length', String(entry.size)];
      segments = entry.size > 0 ? [{ start: 0, end: entry.size - 1 }] : [];
    } else if (ranges.length === 1) {
      // §14.4, §15.3.7.1: a single part is sent as the whole message, with Content-Range.
      status = 206;
      fields = entry.singleRangeFields(ranges[0]!);
      segments = ranges;
    } else {
      // §15.3.7.2: several parts -> multipart/byteranges.
      const body = multipartByteranges(ranges, entry.size, entry.mimeType, randomBytes(12).toString('hex'));
      status = 206;
      fields = [...entry.common, 'Content-Type', body.contentType, 'Content-Length', String(body.length)];
      segments = [...body.parts.flatMap((part) => [part.head, part.range]), body.tail];
    }

    if (request.method === 'HEAD' || segments.length === 0) {
      // §9.3.2: HEAD gets the GET's header fields, and the file is never opened.
      reply.hijack();
      res.writeHead(status, withExtras(reply, fields));
      res.end();
      return undefined;
    }

    const only = segments.length === 1 && !Buffer.isBuffer(segments[0]) ? (segments[0] as ByteRange) : undefined;
    if (only && only.end < HEAD_BYTES) {
      // A range inside the first bytes (iOS's `bytes=0-1` probe): from memory, headers and
      // body in one write.
      const head = entry.headBytes;
      if (head === undefined) return headThenRespond(request, reply, entry, status, fields, only, retried);
      if (head.length > only.end) {
        reply.hijack();
        res.writeHead(status, withExtras(reply, fields));
        res.end(head.subarray(only.start, only.end + 1));
        return undefined;
      }
    }
    return sendBody(request, reply, entry, status, fields, segments, retried);
  }

  /** The first bytes are not in memory yet: read them once, then answer from them. */
  async function headThenRespond(request: FastifyRequest, reply: FastifyReply, entry: FileEntry, status: 200 | 206, fields: string[], only: ByteRange, retried: boolean): Promise<FastifyReply> {
    let head: Buffer | undefined;
    try {
      head = await files.head(entry);
    } catch (error) {
      return openFailed(request, reply, entry, error, retried);
    }
    if (head && head.length > only.end) {
      reply.hijack();
      reply.raw.writeHead(status, withExtras(reply, fields));
      reply.raw.end(head.subarray(only.start, only.end + 1));
      return reply;
    }
    return sendBody(request, reply, entry, status, fields, [only], retried);
  }

  async function sendBody(request: FastifyRequest, reply: FastifyReply, entry: FileEntry, status: 200 | 206, fields: string[], segments: readonly Segment[], retried: boolean): Promise<FastifyReply> {
    const res = reply.raw;
    let fd: number;
    try {
      fd = await files.acquire(entry);
    } catch (error) {
      return openFailed(request, reply, entry, error, retried);
    }
    reply.hijack();
    try {
      res.writeHead(status, withExtras(reply, fields));
      await writeBody(res, fsOps, fd, segments, request.log, entry.path);
    } catch (error) {
      request.log.warn({ err: error, path: entry.path }, 'reading a media file failed');
      res.destroy();
    } finally {
      files.release(entry);
    }
    return reply;
  }

  /**
   * The file could not be opened. Replaced since its last lstat (a rename over it within
   * `statFreshMs`, or between lstat and open): answered once more from a fresh lookup.
   * Gone, a link, outside the root: 404.
   */
  function openFailed(request: FastifyRequest, reply: FastifyReply, entry: FileEntry, error: unknown, retried: boolean): Promise<FastifyReply> | FastifyReply {
    if (error instanceof FileReplaced && !retried) return lookupThenRespond(request, reply, entry, true);
    if (error instanceof NotServable || error instanceof FileReplaced) request.log.warn({ path: entry.path, reason: error.message }, 'refusing to serve a media file');
    else if (isMissing(error)) request.log.info({ path: entry.path }, 'media file vanished or became a link');
    else request.log.error({ err: error, path: entry.path }, 'opening a media file failed');
    return fail(reply, 404, 'Not Found', 'track not found');
  }

  const routeOptions = {
    schema: {
      params: IdParamsSchema,
      response: { 400: ErrorSchema, 404: ErrorSchema, 412: ErrorSchema, 416: ErrorSchema },
    },
    // A bad id is answered by `handle` (400 with Accept-Ranges), not by the error handler.
    attachValidation: true,
  };
  // HEAD is declared by hand and GET opts out of Fastify's automatic HEAD route, which would
  // run the GET handler and read the file only to throw the body away.
  app.head<{ Params: IdParams }>('/stream/:id', routeOptions, handle);
  app.get<{ Params: IdParams }>('/stream/:id', { ...routeOptions, exposeHeadRoute: false }, handle);
};

/** Node joins repeated request fields with ", " (only set-cookie stays an array). */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Fields this plugin owns: a hook's value for one of them must not duplicate ours. */
const OWN_FIELDS = new Set([
  'accept-ranges', 'etag', 'last-modified', 'cache-control', 'x-content-type-options',
  'content-type', 'content-length', 'content-range', 'content-encoding', 'transfer-encoding',
]);

/**
 * `fields` plus the headers hooks set through `reply.header()` (e.g. CORS), which
 * `reply.hijack()` would otherwise drop. `fields` itself is never changed (entries share it).
 */
function withExtras(reply: FastifyReply, fields: readonly string[]): string[] {
  const extras = reply.getHeaders();
  let out: string[] | undefined;
  for (const name in extras) {
    const value = extras[name];
    if (value === undefined || OWN_FIELDS.has(name.toLowerCase())) continue;
    out ??= fields.slice();
    if (Array.isArray(value)) for (const v of value) out.push(name, v);
    else out.push(name, String(value));
  }
  return out ?? (fields as string[]);
}

export default streamPlugin;
