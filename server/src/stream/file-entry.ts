/**
 * One version of one media file in the open-file table: what its lstat said, its validators,
 * the header fields its answers carry (prepared once per version, so a warm request builds
 * almost nothing), and, once a body was read, its fd and first bytes. `OpenFiles` owns the
 * entries' life cycle; this class holds the state.
 */
import type { Stats } from 'node:fs';
import { fileEntityTag } from '../http/etag.js';
import { formatHttpDate } from '../http/preconditions.js';
import { contentRange, parseRange, rangeLength, type ByteRange, type RangeResult } from '../http/range.js';

/** One version of one file: its validators, header values and (once a body was read) its fd. */
export class FileEntry {
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
