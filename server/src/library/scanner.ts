/**
 * Brings the catalog in line with the media folder: reads tags of new and changed files with
 * bounded concurrency, keeps records of unchanged files (same size and mtime) without
 * re-reading them, drops records of files that are gone. Corrupt files are logged and skipped,
 * once: the catalog remembers them (`FailedFile`) and they are not read again until they change.
 * Files whose name is not valid UTF-8 cannot be read or served (see `walk.ts`): they are
 * reported through `onBadName`.
 *
 * `scanLibrary` walks everything (the walk runs ahead of the tag readers, so the total is known
 * early and progress has an ETA); `updateFolders` re-lists only the folders a watcher saw
 * change, descending only into folders it has not seen before.
 */
import type { FastifyBaseLogger } from 'fastify';
import { posix } from 'node:path';
import type { Catalog } from './catalog.js';
import { folderOf } from './catalog.js';
import { pickFolderImage } from './folder-image.js';
import { trackId } from './ids.js';
import type { AudioFile, TrackRecord } from './record.js';
import { readTrack } from './tags.js';
import { walkAudioFiles, type FolderListing } from './walk.js';

export interface ScanProgress {
  /** Audio files found so far. */
  found: number;
  /** Of those, files dealt with (read, kept or skipped). */
  done: number;
  /** Files whose tags were read in this scan. */
  read: number;
  skipped: number;
  /** Tag reads in flight right now. */
  reading: number;
  /** The walk has listed every folder: `found` is the total. */
  walked: boolean;
}

export interface ScanOptions {
  log: FastifyBaseLogger;
  /** Tag reads in flight at once (music-metadata's authors advise against parsing everything at once). */
  concurrency?: number;
  onProgress?: (progress: Readonly<ScanProgress>) => void;
  /** Called for each record added or replaced, as soon as it is read. */
  onTrack?: (record: TrackRecord) => void;
  /** Called for each folder listed (the watcher watches them). */
  onFolder?: (listing: FolderListing) => void;
  /** An audio file or folder whose name is not valid UTF-8 (lossily decoded path); default: a warning each time. */
  onBadName?: (relPath: string) => void;
  signal?: AbortSignal;
}

export interface ScanResult extends ScanProgress {
  removed: number;
  durationMs: number;
}

export const DEFAULT_SCAN_CONCURRENCY = 16;
export const BAD_NAME_MESSAGE = 'cannot serve a file whose name is not valid UTF-8: rename it';
const WALKING_READERS = 3;

function parentOf(relDir: string): string {
  const parent = posix.dirname(relDir);
  return parent === '.' ? '' : parent;
}

export function isUnchanged(record: TrackRecord | undefined, file: AudioFile): boolean {
  return record !== undefined && record.size === file.size && record.mtimeMs === file.mtimeMs && record.realPath === file.realPath;
}

/** Reads tags of the files handed to it, `concurrency` at a time, while more are being found. */
class TagReaders {
  readonly #queue: AudioFile[] = [];
  #head = 0;
  #closed = false;
  readonly #waiting: Array<() => void> = [];
  readonly #workers: Promise<void>[] = [];
  readonly #count: number;

  constructor(
    private readonly catalog: Catalog,
    private readonly progress: ScanProgress,
    private readonly options: ScanOptions,
  ) {
    this.#count = Math.max(1, options.concurrency ?? DEFAULT_SCAN_CONCURRENCY);
    // While the walk runs, few readers: the walk then keeps ahead (the total, hence the ETA, is
    // known early) instead of queueing its stats behind 16 tag reads in the thread pool.
    this.#start(Math.min(this.#count, WALKING_READERS));
  }

  #start(count: number): void {
    while (this.#workers.length < count) this.#workers.push(this.#work());
  }

  push(file: AudioFile): void {
    this.#queue.push(file);
    this.#waiting.shift()?.();
  }

  /** The walk is done: all readers go. */
  walked(): void {
    this.#start(this.#count);
  }

  /** No more files: resolves when every queued file is read. */
  async finish(): Promise<void> {
    this.#start(this.#count);
    this.#closed = true;
    for (const wake of this.#waiting.splice(0)) wake();
    await Promise.all(this.#workers);
  }

  async #work(): Promise<void> {
    for (;;) {
      if (this.#head < this.#queue.length) {
        const file = this.#queue[this.#head]!;
        this.#queue[this.#head++] = undefined as unknown as AudioFile; // let it be collected
        if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
          this.#queue.splice(0, this.#head);
          this.#head = 0;
        }
        if (this.options.signal?.aborted) {
          this.progress.done++;
          continue;
        }
        await this.#readOne(file);
        continue;
      }
      if (this.#closed) return;
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  async #readOne(file: AudioFile): Promise<void> {
    const { catalog, progress, options } = this;
    progress.reading++;
    options.onProgress?.(progress);
    try {
      const record = await readTrack(file);
      catalog.upsert(record);
      progress.read++;
      options.onTrack?.(record);
    } catch (error) {
      progress.skipped++;
      const reason = (error as Error).message;
      catalog.setFailed({ path: file.relPath, size: file.size, mtimeMs: file.mtimeMs, ino: file.ino, reason });
      options.log.warn({ path: file.relPath, reason }, 'skipped unreadable audio file');
    } finally {
      progress.reading--;
      progress.done++;
      options.onProgress?.(progress);
    }
  }
}

/**
 * Applies one walked file: kept when unchanged, skipped (silently) when it failed before and has
 * not changed since, otherwise queued for a tag read.
 */
function consider(file: AudioFile, id: string, catalog: Catalog, readers: TagReaders, progress: ScanProgress, options: ScanOptions): void {
  progress.found++;
  if (isUnchanged(catalog.getRecord(id), file)) {
    progress.done++;
    options.onProgress?.(progress);
  } else if (catalog.failedBefore(id, file)) {
    progress.done++;
    progress.skipped++;
    options.onProgress?.(progress);
  } else {
    readers.push(file);
  }
}

function applyListing(catalog: Catalog, listing: FolderListing): void {
  catalog.setFolderImage(listing.relDir, pickFolderImage(listing.images));
}

function walkErrors(options: ScanOptions) {
  const { log } = options;
  return {
    onError: (path: string, error: Error) => log.warn({ path, reason: error.message }, 'could not read folder entry'),
    onBadName:
      options.onBadName ??
      ((relPath: string) => log.warn({ path: relPath }, BAD_NAME_MESSAGE)),
  };
}

/** Scans the whole folder. Throws when the root itself cannot be listed (nothing is removed then). */
export async function scanLibrary(root: string, catalog: Catalog, options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const progress: ScanProgress = { found: 0, done: 0, read: 0, skipped: 0, reading: 0, walked: false };
  const seen = new Set<string>();
  const folders = new Set<string>();
  const readers = new TagReaders(catalog, progress, options);
  try {
    for await (const file of walkAudioFiles(root, {
      ...walkErrors(options),
      onFolder: (listing) => {
        folders.add(listing.relDir);
        applyListing(catalog, listing);
        options.onFolder?.(listing);
      },
    })) {
      options.signal?.throwIfAborted();
      const id = trackId(file.relPath);
      seen.add(id);
      consider(file, id, catalog, readers, progress, options);
    }
    progress.walked = true;
    readers.walked();
    options.onProgress?.(progress);
  } finally {
    progress.walked = true;
    await readers.finish();
  }
  options.signal?.throwIfAborted();

  let removed = 0;
  for (const record of [...catalog.records()]) {
    if (!seen.has(record.id)) {
      catalog.remove(record.id);
      removed++;
    }
  }
  for (const [folder] of [...catalog.folderImages()]) {
    if (!folders.has(folder)) catalog.setFolderImage(folder, undefined);
  }
  for (const [id] of [...catalog.failedFiles()]) if (!seen.has(id)) catalog.forgetFailed(id);
  return { ...progress, removed, durationMs: performance.now() - started };
}

export interface UpdateOptions extends ScanOptions {
  /** Folders seen before (watched: their own changes are reported separately). */
  knownFolders: ReadonlySet<string>;
  /** A folder that is gone (deleted or moved away). */
  onFolderGone?: (relDir: string) => void;
}

/**
 * Re-lists the given folders: new and changed files are read, files gone from them are removed,
 * new subfolders (an album copied or moved in) are walked whole, subfolders gone are removed
 * with everything below them.
 */
export async function updateFolders(root: string, catalog: Catalog, relDirs: Iterable<string>, options: UpdateOptions): Promise<ScanResult> {
  const started = performance.now();
  const progress: ScanProgress = { found: 0, done: 0, read: 0, skipped: 0, reading: 0, walked: false };
  const readers = new TagReaders(catalog, progress, options);
  let removed = 0;
  const goneFolder = (relDir: string) => {
    removed += catalog.removeFolder(relDir);
    options.onFolderGone?.(relDir);
  };
  try {
    // Parents first: a folder removed with its parent is not listed again.
    const sorted = [...new Set(relDirs)].sort((a, b) => a.length - b.length);
    const gone: string[] = [];
    for (const relDir of sorted) {
      if (gone.some((folder) => folder === '' || relDir === folder || relDir.startsWith(`${folder}/`))) continue;
      const seenHere = new Set<string>();
      let listing: FolderListing | undefined;
      try {
        for await (const file of walkAudioFiles(root, {
          start: relDir === '' ? root : posix.join(root, relDir),
          descend: (sub) => !options.knownFolders.has(sub),
          ...walkErrors(options),
          onFolder: (found) => {
            if (found.relDir === relDir) listing = found;
            applyListing(catalog, found);
            options.onFolder?.(found);
          },
        })) {
          if (folderOf(file.relPath) === relDir) seenHere.add(file.relPath);
          consider(file, trackId(file.relPath), catalog, readers, progress, options);
        }
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
        if (relDir === '') throw error; // the media folder itself is gone: keep the library as is
        gone.push(relDir);
        goneFolder(relDir);
        continue;
      }
      // Files of this folder that were not listed again are gone.
      for (const record of [...catalog.records()]) {
        if (folderOf(record.path) === relDir && !seenHere.has(record.path)) {
          catalog.remove(record.id);
          removed++;
        }
      }
      for (const [id, failed] of [...catalog.failedFiles()]) {
        if (folderOf(failed.path) === relDir && !seenHere.has(failed.path)) catalog.forgetFailed(id);
      }
      // Subfolders we knew that are not listed any more are gone, with all below them.
      const subdirs = new Set(listing?.subdirs ?? []);
      const goneHere = new Set<string>();
      for (const folder of options.knownFolders) {
        if (folder !== '' && parentOf(folder) === relDir && !subdirs.has(folder)) goneHere.add(folder);
      }
      for (const record of catalog.records()) {
        const folder = folderOf(record.path);
        if (folder !== relDir && (relDir === '' || folder.startsWith(`${relDir}/`))) {
          const child = relDir === '' ? folder.split('/')[0]! : `${relDir}/${folder.slice(relDir.length + 1).split('/')[0]}`;
          if (!subdirs.has(child)) goneHere.add(child);
        }
      }
      for (const folder of goneHere) {
        gone.push(folder);
        goneFolder(folder);
      }
    }
  } finally {
    progress.walked = true;
    await readers.finish();
  }
  return { ...progress, removed, durationMs: performance.now() - started };
}

