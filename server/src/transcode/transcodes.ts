/**
 * Transcoded forms of media files, kept in the data folder and made on demand, chunk by chunk
 * (`mp3-layout.ts`): `<key>.mp3`, a sparse file of the final size, and `<key>.json`, the chunks
 * it holds. The key (and the strong ETag) comes from the source's version (inode, size, mtime),
 * the format, the bitrate, the layout and ffmpeg's version: the same key always means the same
 * bytes.
 *
 * A read of a byte that is not there yet starts the encoder of its chunk (one per chunk, however
 * many requests wait for it) and waits for the frame; as long as someone reads on (past a chunk's
 * first frame), the following chunks are encoded too; a probe of the first bytes makes the first
 * chunk only. An encoder nobody has read from for `idleMs` is stopped. At most
 * `maxEncoders` run at once (the others wait for a slot). Complete files and parts beyond
 * `maxBytes` are deleted, least recently read first.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { writeFileAtomic } from '../atomic-file.js';
import { Representation } from '../stream/representation.js';
import { encodeChunk, type RunningEncoder } from './encoder.js';
import type { Ffmpeg } from './ffmpeg.js';
import { CHUNK_FRAMES, chunkFrames, chunkOf, layoutFor, silentFrame, type Bitrate, type Layout } from './mp3-layout.js';

/** Bumped whenever the bytes for the same source and settings would change. */
const LAYOUT_VERSION = 1;

/** The source file as the catalog knows it. */
export interface TranscodeSource {
  path: string;
  durationSec: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** ffmpeg cannot decode the source: 415. */
export class Undecodable extends Error {}

export interface TranscodesOptions {
  ffmpeg: Ffmpeg;
  dir: string;
  maxBytes: number;
  maxEncoders: number;
  /** An encoder nobody read from for this long is stopped. */
  idleMs: number;
  log: FastifyBaseLogger;
  /** ffmpeg cannot decode this source (its real path): the file is marked unplayable. */
  onUndecodable?: (path: string, reason: string) => void;
}

const enum ChunkState {
  Missing = 0,
  Encoding = 1,
  Done = 2,
}

/** Counting semaphore for encoder slots, first come first served. */
class Slots {
  #free: number;
  readonly #queue: (() => void)[] = [];
  constructor(count: number) {
    this.#free = count;
  }
  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#queue.push(resolve));
  }
  release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#free++;
  }
}

/** One transcoded form: its layout, validators, cache file and which of its chunks exist. */
export class Transcode extends Representation {
  readonly layout: Layout;
  readonly state: Uint8Array;
  /** Frames written so far of each chunk being encoded. */
  readonly progress: Int32Array;
  readonly encoders = new Map<number, RunningEncoder>();
  /** Chunk jobs under way (queued for a slot, encoding, writing): close() waits for them. */
  readonly jobs = new Set<Promise<void>>();
  lastRead = Date.now();
  /** Readers waiting for frames. */
  waiting = 0;
  /** The furthest offset any read started at: whether someone plays on, or only probed the start. */
  readFrontier = 0;
  failure: string | undefined;
  #waiters: (() => void)[] = [];

  constructor(
    readonly key: string,
    readonly source: TranscodeSource,
    layout: Layout,
    readonly file: FileHandle,
    readonly paths: { data: string; map: string },
  ) {
    super('audio/mpeg', layout.size, `"${key}"`, source.mtimeMs);
    this.layout = layout;
    this.state = new Uint8Array(layout.chunks);
    this.progress = new Int32Array(layout.chunks);
  }

  /** Bytes available from `offset` on without waiting (0: none yet). */
  available(offset: number): number {
    const chunk = chunkOf(this.layout, offset);
    const { first } = chunkFrames(this.layout, chunk);
    let end: number;
    if (this.state[chunk] === ChunkState.Done) {
      let last = chunk;
      while (last + 1 < this.layout.chunks && this.state[last + 1] === ChunkState.Done) last++;
      const { first: lastFirst, count } = chunkFrames(this.layout, last);
      end = (lastFirst + count) * this.layout.frameSize;
    } else {
      end = (first + this.progress[chunk]!) * this.layout.frameSize;
    }
    return Math.max(0, end - offset);
  }

  doneBytes(): number {
    let bytes = 0;
    for (let c = 0; c < this.layout.chunks; c++) if (this.state[c] === ChunkState.Done) bytes += chunkFrames(this.layout, c).count * this.layout.frameSize;
    return bytes;
  }

  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

export class Transcodes {
  readonly #open = new Map<string, Promise<Transcode>>();
  /** Keys ffmpeg could not decode, with its message. */
  readonly #undecodable = new Map<string, string>();
  /** Every cached key's bytes and last read (`Date.now()`), for the size bound. */
  readonly #sizes = new Map<string, { bytes: number; lastRead: number }>();
  readonly #slots: Slots;
  #closed = false;
  readonly #ready: Promise<void>;
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly options: TranscodesOptions) {
    this.#slots = new Slots(options.maxEncoders);
    this.#ready = this.#loadSizes();
    this.#timer = setInterval(() => this.#stopIdle(), Math.max(50, Math.min(1000, options.idleMs / 2)));
    this.#timer.unref();
  }

  /** The key, also the opaque part of the ETag. */
  keyFor(source: TranscodeSource, bitrate: Bitrate): string {
    const hash = createHash('sha256')
      .update(JSON.stringify([LAYOUT_VERSION, source.path, source.ino, source.size, source.mtimeMs, source.durationSec, this.options.ffmpeg.version]))
      .digest('base64url')
      .slice(0, 22);
    return `mp3-${bitrate}-${hash}`;
  }

  /** The transcoded form of `source` (its cache file open); throws `Undecodable`. */
  async get(source: TranscodeSource, bitrate: Bitrate): Promise<Transcode> {
    const key = this.keyFor(source, bitrate);
    const failed = this.#undecodable.get(key);
    if (failed !== undefined) throw new Undecodable(failed);
    let opening = this.#open.get(key);
    if (opening === undefined) {
      opening = this.#openTranscode(key, source, bitrate);
      this.#open.set(key, opening);
      opening.catch(() => this.#open.delete(key));
    }
    const transcode = await opening;
    transcode.lastRead = Date.now();
    return transcode;
  }

  async #openTranscode(key: string, source: TranscodeSource, bitrate: Bitrate): Promise<Transcode> {
    await this.#ready;
    await mkdir(this.options.dir, { recursive: true });
    const layout = layoutFor(source.durationSec, bitrate);
    const paths = { data: join(this.options.dir, `${key}.mp3`), map: join(this.options.dir, `${key}.json`) };
    let done: number[] = [];
    try {
      done = (JSON.parse(await readFile(paths.map, 'utf8')) as { done: number[] }).done;
    } catch {
      // no map yet: nothing cached
    }
    let file: FileHandle;
    try {
      file = await open(paths.data, 'r+');
      if ((await file.stat()).size !== layout.size) {
        await file.truncate(layout.size);
        done = [];
      }
    } catch {
      file = await open(paths.data, 'w+');
      await file.truncate(layout.size); // sparse: blocks appear as frames are written
      done = [];
    }
    const transcode = new Transcode(key, source, layout, file, paths);
    for (const c of done) if (c >= 0 && c < layout.chunks) transcode.state[c] = ChunkState.Done;
    this.#sizes.set(key, { bytes: transcode.doneBytes(), lastRead: Date.now() });
    return transcode;
  }

  /**
   * Reads up to `length` bytes at `position` into `buffer`, waiting for the encoder when they
   * are not there yet; returns how many (at least 1). Throws `Undecodable`, or an Error when an
   * encoder failed.
   */
  async read(transcode: Transcode, buffer: Buffer, length: number, position: number): Promise<number> {
    transcode.lastRead = Date.now();
    if (position > transcode.readFrontier) transcode.readFrontier = position;
    this.#readAhead(transcode, position);
    const sizes = this.#sizes.get(transcode.key);
    if (sizes) sizes.lastRead = transcode.lastRead;
    for (;;) {
      if (transcode.failure !== undefined) throw new Undecodable(transcode.failure);
      const available = transcode.available(position);
      if (available > 0) {
        const { bytesRead } = await transcode.file.read(buffer, 0, Math.min(length, available), position);
        return bytesRead;
      }
      const chunk = chunkOf(transcode.layout, position);
      if (transcode.state[chunk] === ChunkState.Missing) this.#encode(transcode, chunk);
      transcode.waiting++;
      try {
        await transcode.changed();
      } finally {
        transcode.waiting--;
        transcode.lastRead = Date.now();
      }
    }
  }

  /**
   * A reader past the first frame of a chunk made earlier (by a probe, or from the cache) plays
   * on: the chunk after it is made before the reader gets there. (A chunk still being made goes
   * on to the next when it is done: `#runChunk`.)
   */
  #readAhead(transcode: Transcode, position: number): void {
    const { layout } = transcode;
    const chunk = chunkOf(layout, position);
    if (transcode.state[chunk] !== ChunkState.Done || chunk + 1 >= layout.chunks || transcode.state[chunk + 1] !== ChunkState.Missing) return;
    if (position >= (chunkFrames(layout, chunk).first + 1) * layout.frameSize) this.#encode(transcode, chunk + 1);
  }

  /** Waits until the byte at `position` is there (the first answer proves the source decodes). */
  async ensure(transcode: Transcode, position: number): Promise<void> {
    await this.read(transcode, Buffer.alloc(1), 1, Math.min(position, transcode.size - 1));
  }

  /** Encodes chunk `chunk` (once a slot is free), then the next missing one while someone reads. */
  #encode(transcode: Transcode, chunk: number): void {
    transcode.state[chunk] = ChunkState.Encoding;
    transcode.progress[chunk] = 0;
    const job = this.#runChunk(transcode, chunk).catch((error: unknown) => {
      if (this.#closed) return; // the app is closing: nobody reads any more
      this.options.log.error({ err: error, key: transcode.key }, 'transcoding failed');
      transcode.state[chunk] = ChunkState.Missing;
      transcode.failure ??= (error as Error).message;
      transcode.notify();
    });
    transcode.jobs.add(job);
    void job.finally(() => transcode.jobs.delete(job));
  }

  async #runChunk(transcode: Transcode, chunk: number): Promise<void> {
    await this.#slots.acquire();
    let released = false;
    const release = () => {
      if (!released) this.#slots.release();
      released = true;
    };
    try {
      if (this.#idle(transcode) || this.#closed) {
        transcode.state[chunk] = ChunkState.Missing;
        return;
      }
      const { layout } = transcode;
      const { first, count } = chunkFrames(layout, chunk);
      let writes = Promise.resolve();
      let written = 0;
      const encoder = encodeChunk({
        ffmpeg: this.options.ffmpeg.path,
        source: transcode.source.path,
        layout,
        chunk,
        onFrames: (frames) => {
          const at = (first + written) * layout.frameSize;
          written += frames.length / layout.frameSize;
          const upTo = written;
          writes = writes.then(async () => {
            await transcode.file.write(frames, 0, frames.length, at);
            transcode.progress[chunk] = upTo;
            transcode.notify();
          });
        },
      });
      transcode.encoders.set(chunk, encoder);
      const result = await encoder.done;
      transcode.encoders.delete(chunk);
      await writes;
      release();
      if (result.stopped) {
        transcode.state[chunk] = ChunkState.Missing;
        transcode.progress[chunk] = 0;
        transcode.notify();
        return;
      }
      if (result.error !== undefined && result.frames === 0) {
        if (transcode.doneBytes() === 0) {
          this.#undecodable.set(transcode.key, result.error);
          this.options.log.warn({ path: transcode.source.path, reason: result.error }, 'ffmpeg cannot decode this file');
          this.options.onUndecodable?.(transcode.source.path, result.error);
          transcode.failure = result.error;
        } else {
          this.options.log.error({ path: transcode.source.path, chunk, reason: result.error }, 'transcoding a chunk failed');
          transcode.state[chunk] = ChunkState.Missing;
        }
        transcode.notify();
        return;
      }
      if (result.frames < count) {
        // The source decoded shorter than its catalog duration: silence to the promised length.
        if (result.error !== undefined) this.options.log.warn({ path: transcode.source.path, chunk, reason: result.error }, 'the encoder stopped early; padding with silence');
        const silence = silentFrame(layout.bitrate);
        const pad = Buffer.concat(Array.from({ length: count - result.frames }, () => silence));
        await transcode.file.write(pad, 0, pad.length, (first + result.frames) * layout.frameSize);
      }
      transcode.progress[chunk] = count;
      transcode.state[chunk] = ChunkState.Done;
      await this.#saveMap(transcode);
      transcode.notify();
      // Go on with the next missing chunk while someone plays on: a read got past this chunk's
      // first frame. A probe of the first bytes (iOS's `bytes=0-1`, the client preparing the
      // next tracks of its queue) gets the first chunk only: 30 s ready, not minutes of CPU.
      const next = transcode.state.indexOf(ChunkState.Missing, chunk + 1);
      const playingOn = transcode.readFrontier >= (first + 1) * layout.frameSize;
      if (next !== -1 && playingOn && !this.#idle(transcode)) this.#encode(transcode, next);
      await this.#bound();
    } finally {
      release();
    }
  }

  #idle(transcode: Transcode): boolean {
    return transcode.waiting === 0 && Date.now() - transcode.lastRead > this.options.idleMs;
  }

  /** Stops the encoders of transcodes nobody reads any more. */
  #stopIdle(): void {
    for (const opening of this.#open.values()) {
      void opening.then((transcode) => {
        if (transcode.encoders.size > 0 && this.#idle(transcode)) {
          this.options.log.debug({ key: transcode.key }, 'stopping an encoder nobody reads from');
          for (const encoder of transcode.encoders.values()) encoder.stop();
        }
      }, () => {});
    }
  }

  /**
   * Records which chunks are done. The chunks' bytes reach the disk first (datasync), then the
   * map is replaced atomically (atomic-file.ts: its own temporary name, so two chunks that end
   * together cannot trip over one temporary file, as they once did: a rename found its file gone
   * and failed the transcode mid-response). After a crash the map never claims bytes that are
   * not there.
   */
  async #saveMap(transcode: Transcode): Promise<void> {
    const done: number[] = [];
    transcode.state.forEach((s, c) => s === ChunkState.Done && done.push(c));
    await transcode.file.datasync();
    await writeFileAtomic(transcode.paths.map, JSON.stringify({ size: transcode.size, chunkFrames: CHUNK_FRAMES, done }), 0o644);
    this.#sizes.set(transcode.key, { bytes: transcode.doneBytes(), lastRead: transcode.lastRead });
  }

  async #loadSizes(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.options.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.endsWith('.mp3')) continue;
      const key = name.slice(0, -4);
      try {
        const s = await stat(join(this.options.dir, name));
        // Blocks actually written (the file is sparse); its mtime: the last time it grew.
        this.#sizes.set(key, { bytes: s.blocks * 512, lastRead: s.mtimeMs });
      } catch {
        // gone meanwhile
      }
    }
  }

  /** Deletes least recently read transcodes until the cache fits `maxBytes`; never one in use. */
  async #bound(): Promise<void> {
    let total = 0;
    for (const { bytes } of this.#sizes.values()) total += bytes;
    if (total <= this.options.maxBytes) return;
    const byAge = [...this.#sizes.entries()].sort((a, b) => a[1].lastRead - b[1].lastRead);
    for (const [key, { bytes }] of byAge) {
      if (total <= this.options.maxBytes) break;
      const opening = this.#open.get(key);
      if (opening !== undefined) {
        const transcode = await opening.catch(() => undefined);
        if (transcode !== undefined && (transcode.encoders.size > 0 || !this.#idle(transcode))) continue;
        this.#open.delete(key);
        await transcode?.file.close().catch(() => {});
      }
      this.#sizes.delete(key);
      total -= bytes;
      for (const ext of ['.mp3', '.json']) await unlink(join(this.options.dir, key + ext)).catch(() => {});
      this.options.log.debug({ key }, 'transcode cache: deleted the least recently played');
    }
  }

  /** Stops every encoder and closes the cache files. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const opening of this.#open.values()) {
      const transcode = await opening.catch(() => undefined);
      if (!transcode) continue;
      for (const encoder of transcode.encoders.values()) encoder.stop();
      // Each job's last writes go to the file: close it only once they are done.
      await Promise.allSettled([...transcode.jobs]);
      await transcode.file.close().catch(() => {});
    }
    this.#open.clear();
  }
}
