/**
 * The library's list answers (`/api/tracks`, `/api/albums`, `/api/artists`) as ready-made HTTP
 * representations. A list of 10,000 tracks is ~4 MB of JSON that the schema serializer takes
 * tens of milliseconds to write and gzip as long again to compress: made on every request, that
 * capped the server at a few such answers per second. Here each answer is serialized once per
 * catalog version (by the route's own serializer, so the bytes are exactly what it sent before),
 * compressed once per version and content coding a client asks for (asynchronously, in libuv's
 * thread pool, one shared promise for concurrent requests), and carries a strong entity tag per
 * version and coding, so a client that has it gets a 304.
 *
 * Only the current version's copies are kept: the first request after a change drops the rest.
 * The whole lists are kept; pages (`?offset&limit`) are kept up to PAGE_CACHE_MAX_BYTES of JSON,
 * least recently used dropped first.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, deflate, gzip } from 'node:zlib';
import { negotiateContentCoding, type ContentCoding } from '../http/content-coding.js';
import { ifNoneMatchHolds } from '../http/etag.js';

/** JSON bytes of pages kept for the current version (whole lists do not count). */
export const PAGE_CACHE_MAX_BYTES = 32 * 1024 * 1024;
/**
 * Brotli quality of the copies. Made once per version, off the event loop: a notch above the
 * quality 4 used for answers compressed per request (4 MB of track list: 290 KB in ~120 ms at 4,
 * 236 KB in ~170 ms at 5; 9 takes three times as long for 1% less).
 */
export const BROTLI_QUALITY = 5;
/** The codings we make copies in, best first (Safari sends `gzip, deflate, br`). */
export const OFFERED_CODINGS = ['br', 'gzip', 'deflate'] as const;

const [brotliAsync, gzipAsync, deflateAsync] = [promisify(brotliCompress), promisify(gzip), promisify(deflate)];
const compressors: Record<Exclude<ContentCoding, 'identity'>, (body: Buffer) => Promise<Buffer>> = {
  br: (body) =>
    brotliAsync(body, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  gzip: (body) => gzipAsync(body),
  deflate: (body) => deflateAsync(body),
};

/** What an entity tag says about a coding: different codings are different representations (§8.8.3.3). */
const TAG_SUFFIX: Record<ContentCoding, string> = { identity: '', br: '-br', gzip: '-gz', deflate: '-df' };

/** One answer of one version: the JSON, and its compressed copies made on first demand. */
export class CachedJson {
  readonly json: Buffer;
  readonly #tag: string;
  readonly #coded = new Map<ContentCoding, Promise<Buffer>>();

  constructor(json: string, tag: string) {
    this.json = Buffer.from(json, 'utf8');
    this.#tag = tag;
  }

  /** The strong entity tag of the representation in `coding`, quotes included. */
  etag(coding: ContentCoding): string {
    return `"${this.#tag}${TAG_SUFFIX[coding]}"`;
  }

  /** The body in `coding`; concurrent first requests share one compression. */
  body(coding: ContentCoding): Buffer | Promise<Buffer> {
    if (coding === 'identity') return this.json;
    let coded = this.#coded.get(coding);
    if (!coded) {
      coded = compressors[coding](this.json);
      this.#coded.set(coding, coded);
      // A failed compression is not remembered: the next request tries again.
      coded.catch(() => this.#coded.delete(coding));
    }
    return coded;
  }
}

export class ViewsCache {
  readonly #version: () => number;
  /**
   * Told apart from other runs of the server: the catalog's version starts again at 0 on each
   * start, and a tag must never name two different bodies.
   */
  readonly #instance = randomBytes(6).toString('base64url');
  #cachedVersion = -1;
  readonly #lists = new Map<string, CachedJson>();
  /** Insertion order is use order: the first entry is the least recently used. */
  readonly #pages = new Map<string, CachedJson>();
  #pageBytes = 0;

  /** `version` changes whenever anything the lists are made from does (the catalog's version). */
  constructor(version: () => number) {
    this.#version = version;
  }

  /** A whole list, kept until the version changes. `build` runs at most once per version. */
  list(key: string, build: () => string): CachedJson {
    this.#dropStale();
    let entry = this.#lists.get(key);
    if (!entry) {
      entry = new CachedJson(build(), this.#tag());
      this.#lists.set(key, entry);
    }
    return entry;
  }

  /** A page of a list, kept within PAGE_CACHE_MAX_BYTES for the current version. */
  page(key: string, build: () => string): CachedJson {
    this.#dropStale();
    let entry = this.#pages.get(key);
    if (entry) {
      this.#pages.delete(key);
      this.#pages.set(key, entry);
      return entry;
    }
    entry = new CachedJson(build(), this.#tag());
    if (entry.json.length > PAGE_CACHE_MAX_BYTES) return entry;
    this.#pages.set(key, entry);
    this.#pageBytes += entry.json.length;
    for (const [oldKey, old] of this.#pages) {
      if (this.#pageBytes <= PAGE_CACHE_MAX_BYTES) break;
      this.#pages.delete(oldKey);
      this.#pageBytes -= old.json.length;
    }
    return entry;
  }

  #tag(): string {
    return `${this.#instance}.${this.#cachedVersion.toString(36)}`;
  }

  #dropStale(): void {
    const version = this.#version();
    if (version === this.#cachedVersion) return;
    this.#cachedVersion = version;
    this.#lists.clear();
    this.#pages.clear();
    this.#pageBytes = 0;
  }
}

/**
 * Answers with `entry` in the coding the client prefers: 304 when its `If-None-Match` names the
 * tag (§13.1.2, weak comparison), else 200 with the bytes. `Cache-Control: no-cache` makes
 * clients revalidate each time; `Vary: Accept-Encoding` keeps caches from mixing codings. The
 * route must opt out of @fastify/compress (`compress: false`): the body is already coded.
 */
export async function sendCachedJson(request: FastifyRequest, reply: FastifyReply, entry: CachedJson): Promise<FastifyReply> {
  const coding = negotiateContentCoding(request.headers['accept-encoding'], OFFERED_CODINGS);
  const etag = entry.etag(coding);
  reply.header('etag', etag).header('vary', 'accept-encoding').header('cache-control', 'no-cache');
  const condition = request.headers['if-none-match'];
  if (condition !== undefined && !ifNoneMatchHolds(condition, { weak: false, opaque: etag })) return reply.code(304).send();
  const body = await entry.body(coding);
  if (coding !== 'identity') reply.header('content-encoding', coding);
  return reply.type('application/json; charset=utf-8').send(body);
}
