import type { Track } from '@musicsharer/shared';

/** What the server keeps per track: the public record plus what it needs to serve and rescan. */
export interface TrackRecord extends Track {
  /** Real (symlink-resolved) absolute path, inside the media folder. */
  realPath: string;
  size: number;
  mtimeMs: number;
  /** The file has an embedded picture (read lazily, on the first cover request). */
  embeddedPicture?: true;
  /**
   * An MP3 whose duration is a guess from its size (no Xing/Info/VBRI header): counted exactly
   * in the background after the scan.
   */
  estimatedDuration?: true;
}

/** A file the walk found, before its tags are read. */
export interface AudioFile {
  realPath: string;
  /** Relative to the media folder, `/` separators. */
  relPath: string;
  size: number;
  mtimeMs: number;
  /** Inode number: a file replaced by another of the same size and mtime is still a change. */
  ino: number;
  mimeType: string;
}

/**
 * A file that is not readable audio, as it was when its read failed: scans and restarts do not
 * read it again until its size, mtime or inode change.
 */
export interface FailedFile {
  /** Relative to the media folder, like `TrackRecord.path`. */
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
  reason: string;
}

export const UNKNOWN_ARTIST = 'Unknown Artist';
export const UNKNOWN_ALBUM = 'Unknown Album';

/** The public shape: drops the server-only fields. */
export function toPublicTrack(record: TrackRecord): Track {
  const { realPath: _realPath, size: _size, mtimeMs: _mtimeMs, embeddedPicture: _picture, estimatedDuration: _estimated, ...track } = record;
  return track;
}
