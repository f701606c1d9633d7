/**
 * The library index on disk: one file of newline-delimited JSON (a header line, one line per
 * track, one per folder cover image, one per file that failed to read), so neither writing nor
 * reading it builds one huge string.
 *
 * Crash safety: a save writes a temporary file in the same folder, fsyncs it, renames it over
 * the index (atomic on POSIX: a reader sees the old file or the new one, never a mix) and
 * fsyncs the folder so the rename itself survives a power cut. A `kill -9` mid-save leaves the
 * old index plus a stray temporary file, which the next save or load removes. A file that
 * still fails to load (wrong format version, truncated by hand, bit rot) is reported as
 * corrupt: the caller logs it and rescans.
 */
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { replaceFile } from '../atomic-file.js';
import { StringDecoder } from 'node:string_decoder';
import { basename, dirname, join } from 'node:path';
import type { FailedFile, TrackRecord } from './record.js';

export const INDEX_FORMAT = 'musicsharer-library-index';
/**
 * Bump when the record shape changes: an index of another version is rescanned, not read.
 * Version 2 added the failed files; a version 1 index (none) is still read. Version 3: Ogg
 * records carry their duration (read from the last page; the transcoded form's length follows
 * from it); from an older index an Ogg record without one is left out, so the scan reads it again.
 */
export const INDEX_VERSION = 3;
const READABLE_VERSIONS = new Set([1, 2, INDEX_VERSION]);
/** A record an older index kept without what this version knows how to read. */
const isStale = (record: TrackRecord, version: number) => version < 3 && record.mimeType === 'audio/ogg' && record.duration === null;
export const INDEX_FILE = 'library-index.ndjson';

export interface IndexSnapshot {
  /** The media folder the index describes. */
  root: string;
  records: TrackRecord[];
  /** Folder (relative path) -> its cover image file name. */
  folderImages: Array<[string, string]>;
  /** Files that are not readable audio, as they were when they failed (none when absent). */
  failed?: FailedFile[];
}

interface Header {
  format: typeof INDEX_FORMAT;
  version: number;
  root: string;
  savedAt: string;
  tracks: number;
  folders: number;
  /** Absent in version 1. */
  failed?: number;
}

export class IndexCorruptError extends Error {
  override name = 'IndexCorruptError';
}

const LINES_PER_WRITE = 2000;
const READ_CHUNK_BYTES = 1024 * 1024;

function parseHeader(line: string): Header {
  let header: Header;
  try {
    header = JSON.parse(line) as Header;
  } catch {
    throw new IndexCorruptError('index header is not JSON');
  }
  if (header?.format !== INDEX_FORMAT) throw new IndexCorruptError('not a library index');
  if (!READABLE_VERSIONS.has(header.version)) throw new IndexCorruptError(`index format version ${header.version}, expected ${INDEX_VERSION}`);
  header.failed ??= 0;
  if (typeof header.root !== 'string' || !Number.isInteger(header.tracks) || !Number.isInteger(header.folders) || !Number.isInteger(header.failed)) {
    throw new IndexCorruptError('index header is incomplete');
  }
  return header;
}

function parseLine(line: string, entry: number): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new IndexCorruptError(`index entry ${entry} is not JSON`);
  }
}

function isRecord(value: unknown): value is TrackRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    typeof r.path === 'string' &&
    typeof r.realPath === 'string' &&
    typeof r.title === 'string' &&
    typeof r.url === 'string' &&
    typeof r.mimeType === 'string' &&
    typeof r.albumId === 'string' &&
    typeof r.artistId === 'string' &&
    typeof r.size === 'number' &&
    typeof r.mtimeMs === 'number'
  );
}

function isFailedFile(value: unknown): value is FailedFile {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.path === 'string' && typeof r.size === 'number' && typeof r.mtimeMs === 'number' && typeof r.ino === 'number' && typeof r.reason === 'string';
}

/** Shares equal strings (artist, album, genre...) between records: 100,000 tracks hold far fewer distinct names. */
class Interner {
  readonly #strings = new Map<string, string>();
  get<T>(value: T): T {
    if (typeof value !== 'string') return value;
    const known = this.#strings.get(value);
    if (known !== undefined) return known as T;
    this.#strings.set(value, value);
    return value;
  }
}

const SHARED_FIELDS = ['artist', 'album', 'albumArtist', 'genre', 'codec', 'mimeType', 'albumId', 'artistId'] as const;

export class IndexStore {
  readonly #tmpPrefix: string;
  #tmpCounter = 0;

  constructor(readonly file: string) {
    this.#tmpPrefix = `${basename(file)}.tmp-`;
  }

  /** The saved index, or undefined when there is none. Throws IndexCorruptError when it cannot be read. */
  async load(): Promise<Required<IndexSnapshot> | undefined> {
    await this.#removeStrayTemporaries();
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return await this.#parse(handle);
    } finally {
      await handle.close();
    }
  }

  /** Reads line by line, so a 100,000-track index never sits in memory as one string. */
  async #parse(handle: FileHandle): Promise<Required<IndexSnapshot>> {
    let header: Header | undefined;
    const interner = new Interner();
    const records: TrackRecord[] = [];
    const folderImages: Array<[string, string]> = [];
    const failed: FailedFile[] = [];
    let entries = 0;
    const total = (h: Header) => h.tracks + h.folders + (h.failed ?? 0);
    const take = (line: string) => {
      if (header === undefined) {
        header = parseHeader(line);
        return;
      }
      entries++;
      if (entries > total(header)) throw new IndexCorruptError('index has more entries than its header says');
      const value = parseLine(line, entries);
      if (entries <= header.tracks) {
        if (!isRecord(value)) throw new IndexCorruptError(`index entry ${entries} is not a track`);
        for (const field of SHARED_FIELDS) (value as unknown as Record<string, unknown>)[field] = interner.get(value[field]);
        if (!isStale(value, header.version)) records.push(value);
      } else if (entries <= header.tracks + header.folders) {
        if (!Array.isArray(value) || typeof value[0] !== 'string' || typeof value[1] !== 'string') {
          throw new IndexCorruptError(`index entry ${entries} is not a folder image`);
        }
        folderImages.push([value[0], value[1]]);
      } else {
        if (!isFailedFile(value)) throw new IndexCorruptError(`index entry ${entries} is not a failed file`);
        failed.push(value);
      }
    };
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let rest = '';
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const text = rest + decoder.write(buffer.subarray(0, bytesRead));
      let from = 0;
      for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', from)) {
        take(text.slice(from, newline));
        from = newline + 1;
      }
      rest = text.slice(from);
    }
    rest += decoder.end();
    // Every line ends with a newline: a missing one means the file was cut short.
    if (rest !== '') throw new IndexCorruptError('index ends in the middle of a line');
    if (header === undefined) throw new IndexCorruptError('index is empty');
    if (entries !== total(header)) {
      throw new IndexCorruptError(`index has ${entries} entries, its header says ${header.tracks} + ${header.folders} + ${header.failed}`);
    }
    return { root: header.root, records, folderImages, failed };
  }

  /** Writes the snapshot atomically (see the file comment). */
  async save(snapshot: IndexSnapshot): Promise<void> {
    const dir = dirname(this.file);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `${this.#tmpPrefix}${process.pid}-${this.#tmpCounter++}`);
    const header: Header = {
      format: INDEX_FORMAT,
      version: INDEX_VERSION,
      root: snapshot.root,
      savedAt: new Date().toISOString(),
      tracks: snapshot.records.length,
      folders: snapshot.folderImages.length,
      failed: snapshot.failed?.length ?? 0,
    };
    await replaceFile(this.file, tmp, 0o644, async (handle) => {
      await handle.write(`${JSON.stringify(header)}\n`);
      const entries: unknown[] = snapshot.records;
      for (const list of [entries, snapshot.folderImages, snapshot.failed ?? []]) {
        for (let i = 0; i < list.length; i += LINES_PER_WRITE) {
          let chunk = '';
          for (const entry of list.slice(i, i + LINES_PER_WRITE)) chunk += `${JSON.stringify(entry)}\n`;
          await handle.write(chunk);
        }
      }
    });
  }

  /** Temporary files of saves cut short by a crash. */
  async #removeStrayTemporaries(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(dirname(this.file));
    } catch {
      return;
    }
    const mine = `${this.#tmpPrefix}${process.pid}-`;
    await Promise.all(
      names
        .filter((name) => name.startsWith(this.#tmpPrefix) && !name.startsWith(mine))
        .map((name) => rm(join(dirname(this.file), name), { force: true })),
    );
  }
}
