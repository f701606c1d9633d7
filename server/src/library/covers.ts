/**
 * Album covers: an embedded picture (read lazily from one of the album's tracks on the first
 * request), else an image file in the album's folder. Thumbnails are made once with sharp and
 * cached on disk, named by the cover's version, so a changed cover gets new thumbnails.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { parseFile } from 'music-metadata';
import type { Sharp, SharpOptions } from 'sharp';
import type { Catalog } from './catalog.js';
import type { CoverSize } from '@musicsharer/shared';

type SharpFactory = (input: Buffer, options?: SharpOptions) => Sharp;
let sharpLoading: Promise<SharpFactory> | undefined;

/** sharp (libvips) is loaded on the first cover request, not at start-up. */
function loadSharp(): Promise<SharpFactory> {
  sharpLoading ??= import('sharp').then(({ default: sharp }) => {
    // One image at a time and no libvips cache: covers are small, the CPU is shared.
    sharp.cache(false);
    sharp.concurrency(1);
    return sharp;
  });
  return sharpLoading;
}

const MIME_BY_FORMAT: Readonly<Record<string, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heif: 'image/avif',
};

export interface CoverImage {
  data: Buffer;
  mimeType: string;
}

/** Every candidate image is corrupt, in a format we cannot read, or unreadable. */
export type CoverResult = { ok: true; image: CoverImage } | { ok: false };

interface Candidate {
  key: string;
  load(): Promise<Buffer | undefined>;
}

/** An album's cover sources as they are now. */
export interface CoverVersion {
  albumId: string;
  /** Strong validator: changes whenever any cover candidate of the album changes. */
  etag: string;
  candidates: readonly Candidate[];
}

export class CoverService {
  readonly #cacheDir: string | undefined;
  readonly #inFlight = new Map<string, Promise<CoverResult>>();
  /** albumId -> etag of covers known to be unreadable (no retry until a candidate changes). */
  readonly #corrupt = new Map<string, string>();

  constructor(
    private readonly catalog: Catalog,
    private readonly root: string,
    /** Thumbnails are cached under `<dataDir>/covers/`; without it they are made on every request. */
    dataDir: string | undefined,
    private readonly log: FastifyBaseLogger,
  ) {
    this.#cacheDir = dataDir === undefined ? undefined : join(dataDir, 'covers');
  }

  /**
   * The album cover's current version, computed from file sizes and times only (no image is
   * read): lets a route answer `If-None-Match` with a 304 cheaply, then hand it to `original`
   * or `thumbnail`. Undefined when the album has no cover candidate.
   */
  async version(albumId: string): Promise<CoverVersion | undefined> {
    const found = this.catalog.coverCandidates(albumId);
    if (!found || (found.embedded.length === 0 && found.files.length === 0)) return undefined;
    const candidates: Candidate[] = [];
    for (const record of found.embedded) {
      candidates.push({
        key: `e:${record.id}:${record.size}:${record.mtimeMs}`,
        load: async () => {
          const { common } = await parseFile(record.realPath, { duration: false, skipCovers: false });
          const pictures = common.picture ?? [];
          const picture = pictures.find((p) => /front/i.test(p.type ?? '')) ?? pictures[0];
          return picture && Buffer.from(picture.data.buffer, picture.data.byteOffset, picture.data.byteLength);
        },
      });
    }
    for (const relPath of found.files) {
      const path = join(this.root, relPath);
      try {
        const info = await stat(path);
        candidates.push({ key: `f:${relPath}:${info.size}:${info.mtimeMs}`, load: () => readFile(path) });
      } catch {
        // gone since the last scan: the watcher will catch up
      }
    }
    if (candidates.length === 0) return undefined;
    const etag = `"${createHash('sha1').update(candidates.map((c) => c.key).join('\n')).digest('base64url').slice(0, 22)}"`;
    return { albumId, etag, candidates };
  }

  /** The original cover image of that version, as stored. */
  original(version: CoverVersion): Promise<CoverResult> {
    return this.#once(`${version.albumId}:${version.etag}:original`, () => this.#original(version));
  }

  /** A JPEG thumbnail of that version that fits in size x size, from the disk cache or made now. */
  thumbnail(version: CoverVersion, size: CoverSize): Promise<CoverResult> {
    return this.#once(`${version.albumId}:${version.etag}:${size}`, () => this.#thumbnail(version, size));
  }

  async #once(key: string, make: () => Promise<CoverResult>): Promise<CoverResult> {
    const running = this.#inFlight.get(key);
    if (running) return running;
    const promise = make().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return promise;
  }

  async #original(version: CoverVersion): Promise<CoverResult> {
    const { albumId } = version;
    if (this.#corrupt.get(albumId) === version.etag) return { ok: false };
    const sharp = await loadSharp();
    for (const candidate of version.candidates) {
      const data = await this.#load(albumId, candidate);
      if (!data) continue;
      try {
        const { format } = await sharp(data).metadata();
        const mimeType = format && MIME_BY_FORMAT[format];
        if (mimeType) return { ok: true, image: { data, mimeType } };
        this.log.warn({ albumId, source: candidate.key, format }, 'cover image in an unsupported format');
      } catch (error) {
        this.log.warn({ albumId, source: candidate.key, reason: (error as Error).message }, 'cover image is corrupt');
      }
    }
    this.#corrupt.set(albumId, version.etag);
    return { ok: false };
  }

  async #thumbnail(version: CoverVersion, size: CoverSize): Promise<CoverResult> {
    const { albumId } = version;
    const folder = this.#cacheDir === undefined ? undefined : join(this.#cacheDir, albumId);
    const file = folder === undefined ? undefined : join(folder, `${version.etag.slice(1, -1)}-${size}.jpg`);
    if (file !== undefined) {
      try {
        return { ok: true, image: { data: await readFile(file), mimeType: 'image/jpeg' } };
      } catch {
        // not made yet
      }
    }
    if (this.#corrupt.get(albumId) === version.etag) return { ok: false };
    const sharp = await loadSharp();
    for (const candidate of version.candidates) {
      const data = await this.#load(albumId, candidate);
      if (!data) continue;
      let thumbnail: Buffer;
      try {
        thumbnail = await sharp(data, { failOn: 'error' })
          .rotate() // honour EXIF orientation
          .resize(size, size, { fit: 'inside', withoutEnlargement: true })
          .flatten({ background: '#ffffff' })
          .jpeg({ quality: 82, progressive: size > 256 })
          .toBuffer();
      } catch (error) {
        this.log.warn({ albumId, source: candidate.key, reason: (error as Error).message }, 'cover image is corrupt');
        continue;
      }
      if (folder !== undefined && file !== undefined) {
        await this.#store(folder, file, thumbnail).catch((error: unknown) =>
          this.log.warn({ albumId, reason: (error as Error).message }, 'could not cache the cover thumbnail'),
        );
      }
      return { ok: true, image: { data: thumbnail, mimeType: 'image/jpeg' } };
    }
    this.#corrupt.set(albumId, version.etag);
    return { ok: false };
  }

  async #load(albumId: string, candidate: Candidate): Promise<Buffer | undefined> {
    try {
      const data = await candidate.load();
      return data && data.length > 0 ? data : undefined;
    } catch (error) {
      this.log.warn({ albumId, source: candidate.key, reason: (error as Error).message }, 'could not read the cover');
      return undefined;
    }
  }

  /** Writes a thumbnail atomically and drops thumbnails of older versions of the cover. */
  async #store(folder: string, file: string, data: Buffer): Promise<void> {
    await mkdir(folder, { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, data);
    await rename(tmp, file);
    const current = file.slice(folder.length + 1).replace(/-\d+\.jpg$/, '');
    for (const name of await readdir(folder)) {
      if (!name.startsWith(current)) await rm(join(folder, name), { force: true });
    }
  }
}
