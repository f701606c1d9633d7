/**
 * Album covers: an embedded picture (extracted once per version of its audio file, on the first
 * request), else an image file in the album's folder. Every source is read with the stream
 * plugin's guards (`cover-file.ts`): never through a link out of the media folder, never from a
 * FIFO or device, and only if it still is the file the cover's version was computed from.
 *
 * Memory: an original is streamed from a file (the folder image itself, or the embedded picture
 * extracted once into the cache folder), so a client that does not read pins at most
 * `COVER_CHUNK_BYTES` plus its socket's buffers, never a copy of the image. A whole image is in
 * memory only to check or shrink it, at most `MAX_IMAGES_IN_MEMORY` at a time.
 *
 * Caching: thumbnails (and extracted pictures) are cached on disk under
 * `<dataDir>/covers/<albumId>/`, named by the identity of the image they were made from (device,
 * inode, size, times of its file), so a thumbnail made from another file is never served for
 * this one. Only an image that was read and failed to decode counts as corrupt, remembered by
 * that identity: a changed file is checked again; a file that cannot be read now is not corrupt.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, readFile, rename, rm, lstat, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { parseFromTokenizer } from 'music-metadata';
import type { Catalog } from './catalog.js';
import { formatOfMime, imageFormat, makeThumbnail, MIME_BY_FORMAT } from './cover-image.js';
import type { CoverSize } from '@musicsharer/shared';
import {
  CoverSourceError,
  fileIdentity,
  HandleTokenizer,
  locateSource,
  openSource,
  readSource,
  type SourceFailure,
  type SourceFile,
} from './cover-file.js';

/** An original cover is streamed in chunks of this size: what one reply holds in memory. */
export const COVER_CHUNK_BYTES = 64 * 1024;

/**
 * At most this many whole images (a folder image being checked or shrunk, an embedded picture
 * being extracted) are in memory at once, whatever the number of requests.
 */
export const MAX_IMAGES_IN_MEMORY = 2;

/** Images whose verdict (format, or corrupt) is remembered, by identity. */
const MAX_VERDICTS = 4096;

/** Without a cache folder, the embedded pictures kept in memory (each shared by every reply). */
const MAX_PICTURES_IN_MEMORY = 2;

export interface CoverImage {
  mimeType: string;
  length: number;
  /** A thumbnail or a shared picture, or an original streamed from its file. */
  body: Buffer | Readable;
}

/**
 * Why there is no image: `missing` (gone, not a regular file, outside the media folder),
 * `unavailable` (the file system failed: the media folder unmounted, an I/O error), `changed`
 * (the file is not the one the version names: compute the version again), `corrupt` (read, and
 * not a picture we can decode).
 */
export type CoverFailure = SourceFailure | 'corrupt';

export type CoverResult = { ok: true; image: CoverImage } | { ok: false; failure: CoverFailure };

interface Candidate {
  kind: 'embedded' | 'file';
  source: SourceFile;
  /** The audio file's type, for an embedded picture. */
  mimeType?: string;
  /** Names everything made from this image: its identity. */
  key: string;
  /** File-name stem of its cache files. */
  stem: string;
}

/** An album's cover sources as they are now. */
export interface CoverVersion {
  albumId: string;
  /** Strong validator: changes whenever any cover candidate of the album changes. */
  etag: string;
  candidates: readonly Candidate[];
}

/** A cached embedded picture: a file in the cache folder, or (without one) a shared buffer. */
type Picture = { mimeType: string; path: string } | { mimeType: string; data: Buffer };

const hashOf = (text: string) => createHash('sha1').update(text).digest('base64url').slice(0, 22);

/** The most telling failure of several candidates. */
function worst(failures: readonly CoverFailure[]): CoverFailure {
  for (const failure of ['changed', 'unavailable', 'corrupt'] as const) if (failures.includes(failure)) return failure;
  return 'missing';
}

const failureOf = (error: unknown): SourceFailure | undefined => (error instanceof CoverSourceError ? error.failure : undefined);

/** Runs at most `limit` jobs at once. */
class Gate {
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      return await job();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}

export class CoverService {
  readonly #cacheDir: string | undefined;
  readonly #rootPrefix: string;
  readonly #inFlight = new Map<string, Promise<unknown>>();
  /** Image key -> its MIME type, or 'corrupt' (read and not decodable). */
  readonly #verdicts = new Map<string, string>();
  readonly #pictures = new Map<string, Picture>();
  readonly #memory = new Gate(MAX_IMAGES_IN_MEMORY);

  constructor(
    private readonly catalog: Catalog,
    /** Real path of the media folder. */
    private readonly root: string,
    /** Thumbnails are cached under `<dataDir>/covers/`; without it they are made on every request. */
    dataDir: string | undefined,
    private readonly log: FastifyBaseLogger,
  ) {
    this.#cacheDir = dataDir === undefined ? undefined : join(dataDir, 'covers');
    this.#rootPrefix = root.endsWith(sep) ? root : root + sep;
  }

  /**
   * The album cover's current version, from lstat of its sources only (no image is read): lets
   * a route answer `If-None-Match` with a 304 cheaply, then hand it to `original` or
   * `thumbnail`. `none`: the album has no cover (or none of its sources is there);
   * `unavailable`: the media folder or a source cannot be looked at now.
   */
  async version(albumId: string): Promise<CoverVersion | 'none' | 'unavailable'> {
    const found = this.catalog.coverCandidates(albumId);
    if (!found || (found.embedded.length === 0 && found.files.length === 0)) return 'none';
    const located = await Promise.all([
      ...found.embedded.map(async (record) => ({ kind: 'embedded' as const, mimeType: record.mimeType, located: await this.#locate(record.realPath) })),
      ...found.files.map(async (relPath) => ({ kind: 'file' as const, mimeType: undefined, located: await this.#locate(join(this.root, relPath)) })),
    ]);
    const candidates: Candidate[] = [];
    let unavailable = false;
    for (const { kind, mimeType, located: source } of located) {
      if (source === 'unavailable') unavailable = true;
      if (typeof source === 'string') continue; // gone since the last scan: the watcher will catch up
      const key = `${kind === 'embedded' ? 'e' : 'f'}:${fileIdentity(source.stats)}`;
      candidates.push({ kind, source, mimeType, key, stem: hashOf(key) });
    }
    if (candidates.length === 0) return unavailable || !(await this.#rootIsThere()) ? 'unavailable' : 'none';
    const etag = `"${hashOf(candidates.map((c) => c.key).join('\n'))}"`;
    return { albumId, etag, candidates };
  }

  /** The original cover image of that version, as stored. */
  async original(version: CoverVersion): Promise<CoverResult> {
    const failures: CoverFailure[] = [];
    for (const candidate of version.candidates) {
      const result = candidate.kind === 'file' ? await this.#originalFile(version, candidate) : await this.#originalEmbedded(version, candidate);
      if (result.ok) return result;
      failures.push(result.failure);
    }
    return { ok: false, failure: worst(failures) };
  }

  /** A JPEG thumbnail of that version that fits in size x size, from the disk cache or made now. */
  async thumbnail(version: CoverVersion, size: CoverSize): Promise<CoverResult> {
    const failures: CoverFailure[] = [];
    for (const candidate of version.candidates) {
      const result = await this.#once(`${candidate.key}:${size}`, () => this.#thumbnail(version, candidate, size));
      if (result.ok) return result;
      failures.push(result.failure);
    }
    return { ok: false, failure: worst(failures) };
  }

  async #locate(path: string): Promise<SourceFile | SourceFailure> {
    try {
      return await locateSource(path, this.#rootPrefix);
    } catch (error) {
      return failureOf(error) ?? 'unavailable';
    }
  }

  async #rootIsThere(): Promise<boolean> {
    try {
      return (await lstat(this.root)).isDirectory();
    } catch {
      return false;
    }
  }

  /** Concurrent requests for the same work share one promise. */
  #once<T>(key: string, make: () => Promise<T>): Promise<T> {
    const running = this.#inFlight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const promise = make().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return promise;
  }

  #remember(key: string, verdict: string): void {
    this.#verdicts.delete(key);
    this.#verdicts.set(key, verdict);
    if (this.#verdicts.size > MAX_VERDICTS) this.#verdicts.delete(this.#verdicts.keys().next().value!);
  }

  /** The image's MIME type, or 'corrupt' (remembered by the image's identity). */
  async #check(albumId: string, candidate: Candidate, data: Buffer): Promise<string> {
    let verdict = 'corrupt';
    try {
      const format = await imageFormat(data);
      const mimeType = format && MIME_BY_FORMAT[format];
      if (mimeType) verdict = mimeType;
      else this.log.warn({ albumId, source: candidate.source.path, format }, 'cover image in an unsupported format');
    } catch (error) {
      this.log.warn({ albumId, source: candidate.source.path, reason: (error as Error).message }, 'cover image is corrupt');
    }
    this.#remember(candidate.key, verdict);
    return verdict;
  }

  #failed(albumId: string, candidate: Candidate, error: unknown): { ok: false; failure: CoverFailure } {
    const failure = failureOf(error);
    if (failure === undefined) throw error;
    if (failure === 'unavailable') this.log.warn({ albumId, source: candidate.source.path, reason: (error as Error).message }, 'could not read the cover');
    else this.log.debug({ albumId, source: candidate.source.path, failure }, 'cover source not usable');
    return { ok: false, failure };
  }

  /** A folder image: checked once per version, then streamed from its file. */
  async #originalFile(version: CoverVersion, candidate: Candidate): Promise<CoverResult> {
    if (this.#verdicts.get(candidate.key) === 'corrupt') return { ok: false, failure: 'corrupt' };
    let handle: FileHandle;
    try {
      handle = await openSource(candidate.source, this.#rootPrefix);
    } catch (error) {
      return this.#failed(version.albumId, candidate, error);
    }
    try {
      let mimeType = this.#verdicts.get(candidate.key);
      if (mimeType === undefined) {
        const opened = handle;
        mimeType = await this.#once(`check:${candidate.key}`, () =>
          this.#memory.run(async () => this.#check(version.albumId, candidate, await readSource(opened, candidate.source.stats.size))),
        );
      }
      if (mimeType === 'corrupt') {
        await handle.close();
        return { ok: false, failure: 'corrupt' };
      }
      const { size } = candidate.source.stats;
      return { ok: true, image: { mimeType, length: size, body: stream(handle, size) } };
    } catch (error) {
      await handle.close().catch(() => undefined);
      return this.#failed(version.albumId, candidate, error);
    }
  }

  /** An embedded picture: extracted once per version of its audio file, then shared. */
  async #originalEmbedded(version: CoverVersion, candidate: Candidate): Promise<CoverResult> {
    // A cached copy removed meanwhile (the cache folder cleaned) is extracted again, once.
    for (let attempt = 0; ; attempt++) {
      let picture: Picture | CoverFailure;
      try {
        picture = await this.#picture(version, candidate);
      } catch (error) {
        return this.#failed(version.albumId, candidate, error);
      }
      if (typeof picture === 'string') return { ok: false, failure: picture };
      if ('data' in picture) return { ok: true, image: { mimeType: picture.mimeType, length: picture.data.length, body: picture.data } };
      let handle: FileHandle | undefined;
      try {
        handle = await open(picture.path, 'r');
        const { size } = await handle.stat();
        return { ok: true, image: { mimeType: picture.mimeType, length: size, body: stream(handle, size) } };
      } catch (error) {
        await handle?.close().catch(() => undefined);
        this.#pictures.delete(candidate.key);
        if (attempt > 0) {
          this.log.warn({ albumId: version.albumId, reason: (error as Error).message }, 'could not read the extracted cover');
          return { ok: false, failure: 'unavailable' };
        }
      }
    }
  }

  /** The embedded picture of that audio file, from the cache (memory, disk) or extracted now. */
  async #picture(version: CoverVersion, candidate: Candidate): Promise<Picture | CoverFailure> {
    if (this.#verdicts.get(candidate.key) === 'corrupt') return 'corrupt';
    const known = this.#pictures.get(candidate.key);
    if (known) return known;
    const folder = this.#cacheDir === undefined ? undefined : join(this.#cacheDir, version.albumId);
    if (folder !== undefined) {
      const prefix = `${candidate.stem}-original.`;
      const name = (await readdir(folder).catch(() => [] as string[])).find((n) => n.startsWith(prefix));
      const mimeType = name && MIME_BY_FORMAT[name.slice(prefix.length)];
      if (name && mimeType) return this.#keep(candidate.key, { mimeType, path: join(folder, name) });
    }
    return this.#once(`extract:${candidate.key}`, () => this.#memory.run(() => this.#extract(version, candidate, folder)));
  }

  async #extract(version: CoverVersion, candidate: Candidate, folder: string | undefined): Promise<Picture | CoverFailure> {
    const data = await this.#readEmbedded(version.albumId, candidate);
    if (typeof data === 'string') return data;
    const mimeType = await this.#check(version.albumId, candidate, data);
    if (mimeType === 'corrupt') return 'corrupt';
    if (folder === undefined) return this.#keep(candidate.key, { mimeType, data });
    const format = formatOfMime(mimeType)!;
    const path = join(folder, `${candidate.stem}-original.${format}`);
    try {
      await this.#store(version, folder, path, data);
    } catch (error) {
      this.log.warn({ albumId: version.albumId, reason: (error as Error).message }, 'could not cache the cover');
      return this.#keep(candidate.key, { mimeType, data });
    }
    return this.#keep(candidate.key, { mimeType, path });
  }

  #keep(key: string, picture: Picture): Picture {
    this.#pictures.delete(key);
    this.#pictures.set(key, picture);
    // Paths cost nothing; buffers are bounded.
    const buffers = [...this.#pictures].filter(([, p]) => 'data' in p);
    if (buffers.length > MAX_PICTURES_IN_MEMORY) this.#pictures.delete(buffers[0]![0]);
    if (this.#pictures.size > MAX_VERDICTS) this.#pictures.delete(this.#pictures.keys().next().value!);
    return picture;
  }

  /** Parses the audio file through a guarded handle (never `parseFile`: see `cover-file.ts`). */
  async #readEmbedded(albumId: string, candidate: Candidate): Promise<Buffer | 'missing' | 'corrupt'> {
    const handle = await openSource(candidate.source, this.#rootPrefix);
    const tokenizer = new HandleTokenizer(handle, candidate.source, candidate.mimeType ?? 'audio/mpeg');
    try {
      const { common } = await parseFromTokenizer(tokenizer, { duration: false, skipCovers: false });
      const pictures = common.picture ?? [];
      const picture = pictures.find((p) => /front/i.test(p.type ?? '')) ?? pictures[0];
      if (!picture || picture.data.byteLength === 0) return 'missing';
      return Buffer.from(picture.data.buffer, picture.data.byteOffset, picture.data.byteLength);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== undefined) throw new CoverSourceError('unavailable', (error as Error).message);
      this.log.warn({ albumId, source: candidate.source.path, reason: (error as Error).message }, 'cover image is corrupt');
      this.#remember(candidate.key, 'corrupt');
      return 'corrupt';
    } finally {
      await tokenizer.close().catch(() => undefined);
    }
  }

  async #thumbnail(version: CoverVersion, candidate: Candidate, size: CoverSize): Promise<CoverResult> {
    const { albumId } = version;
    const folder = this.#cacheDir === undefined ? undefined : join(this.#cacheDir, albumId);
    const file = folder === undefined ? undefined : join(folder, `${candidate.stem}-${size}.jpg`);
    if (file !== undefined) {
      try {
        const data = await readFile(file);
        return { ok: true, image: { mimeType: 'image/jpeg', length: data.length, body: data } };
      } catch {
        // not made yet
      }
    }
    if (this.#verdicts.get(candidate.key) === 'corrupt') return { ok: false, failure: 'corrupt' };
    let picture: Picture | undefined;
    if (candidate.kind === 'embedded') {
      try {
        const found = await this.#picture(version, candidate);
        if (typeof found === 'string') return { ok: false, failure: found };
        picture = found;
      } catch (error) {
        return this.#failed(albumId, candidate, error);
      }
    }
    return this.#memory.run(async () => {
      let data: Buffer;
      try {
        data = picture === undefined ? await this.#readFolderImage(candidate) : await this.#readPicture(candidate, picture);
      } catch (error) {
        return this.#failed(albumId, candidate, error);
      }
      let thumbnail: Buffer;
      try {
        thumbnail = await makeThumbnail(data, size);
      } catch (error) {
        this.log.warn({ albumId, source: candidate.source.path, reason: (error as Error).message }, 'cover image is corrupt');
        this.#remember(candidate.key, 'corrupt');
        return { ok: false, failure: 'corrupt' };
      }
      if (folder !== undefined && file !== undefined) {
        await this.#store(version, folder, file, thumbnail).catch((error: unknown) =>
          this.log.warn({ albumId, reason: (error as Error).message }, 'could not cache the cover thumbnail'),
        );
      }
      return { ok: true, image: { mimeType: 'image/jpeg', length: thumbnail.length, body: thumbnail } };
    });
  }

  async #readFolderImage(candidate: Candidate): Promise<Buffer> {
    const handle = await openSource(candidate.source, this.#rootPrefix);
    try {
      return await readSource(handle, candidate.source.stats.size);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  async #readPicture(candidate: Candidate, picture: Picture): Promise<Buffer> {
    if ('data' in picture) return picture.data;
    try {
      return await readFile(picture.path);
    } catch (error) {
      this.#pictures.delete(candidate.key); // the cache folder was cleaned: extract it again next time
      throw new CoverSourceError('unavailable', (error as Error).message);
    }
  }

  /** Writes a cache file atomically and drops files made from images the version no longer has. */
  async #store(version: CoverVersion, folder: string, file: string, data: Buffer): Promise<void> {
    await mkdir(folder, { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, data);
    await rename(tmp, file);
    const stems = version.candidates.map((c) => `${c.stem}-`);
    for (const name of await readdir(folder)) {
      if (!stems.some((stem) => name.startsWith(stem)) && !name.includes('.tmp-')) await rm(join(folder, name), { force: true });
    }
  }
}

/** The file behind `handle` as a stream with backpressure; the handle closes when it ends. */
function stream(handle: FileHandle, size: number): Readable {
  return handle.createReadStream({ start: 0, end: Math.max(size - 1, 0), highWaterMark: COVER_CHUNK_BYTES });
}
