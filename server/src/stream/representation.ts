/**
 * What the HTTP rules need of a representation served in byte ranges: its validators, size and
 * type, the header fields every answer carries (prepared once), and the last Range parse and
 * single-range fields (every iOS track start asks for `bytes=0-1`). A file on disk
 * (`FileEntry`) and a transcoded form (`../transcode/transcodes.ts`) are both one.
 */
import { formatHttpDate } from '../http/preconditions.js';
import { contentRange, parseRange, rangeLength, type ByteRange, type RangeResult } from '../http/range.js';

export class Representation {
  readonly lastModified: string;
  /** Header pairs every 200/206/304/416 of this version carries (§14.3 Accept-Ranges: every answer). */
  readonly common: readonly string[];

  constructor(
    readonly mimeType: string,
    readonly size: number,
    /** A strong entity tag (§8.8.3). */
    readonly etag: string,
    readonly lastModifiedMs: number,
  ) {
    this.lastModified = formatHttpDate(lastModifiedMs);
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
}
