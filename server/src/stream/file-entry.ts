/**
 * One version of one media file in the open-file table: what its lstat said, its validators,
 * the header fields its answers carry (prepared once per version, so a warm request builds
 * almost nothing), and, once a body was read, its fd and first bytes. `OpenFiles` owns the
 * entries' life cycle; this class holds the state.
 */
import type { Stats } from 'node:fs';
import { fileEntityTag } from '../http/etag.js';
import { Representation } from './representation.js';

/** One version of one file: its validators, header values and (once a body was read) its fd. */
export class FileEntry extends Representation {
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
    mimeType: string,
    readonly stats: Stats,
  ) {
    super(mimeType, stats.size, fileEntityTag(stats), stats.mtimeMs);
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
