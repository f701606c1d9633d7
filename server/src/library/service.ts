/**
 * The library as the rest of the server sees it, and the orchestrator of its parts: the catalog
 * (`catalog.ts`), scans and folder updates (`scanner.ts`), the index on disk
 * (`index-persistence.ts`), the folder watcher and, while the media folder is gone, the poll
 * for its return (`watcher.ts`, `root-poll.ts`), covers (`covers.ts`) and the background
 * exact-duration pass (`exact-durations.ts`), and the playlist files in the folder
 * (`playlist-files.ts`).
 *
 * Emits `progress` while a full scan runs (at most 4 per second), `changed` after tracks were
 * added, changed or removed (at most every few seconds during a long scan, so clients see
 * tracks as they are read), `scanned` after each full scan, and `playlists` when playlist files
 * came, changed or went.
 *
 * Scans and folder updates run one at a time, in order.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { ScanStatus } from '@musicsharer/shared';
import type { FastifyBaseLogger } from 'fastify';
import { Catalog } from './catalog.js';
import { CoverService } from './covers.js';
import { ExactDurations } from './exact-durations.js';
import { IndexPersistence } from './index-persistence.js';
import { PlaylistFiles } from './playlist-files.js';
import { INDEX_FILE } from './index-store.js';
import { isFolderGone, RootPoll } from './root-poll.js';
import { BAD_NAME_MESSAGE, scanLibrary, updateFolders, type ScanOptions, type ScanProgress, type ScanResult } from './scanner.js';
import type { FolderListing } from './walk.js';
import { FolderWatcher } from './watcher.js';

export interface LibraryEvents {
  progress: [ScanStatus];
  changed: [{ trackCount: number }];
  scanned: [ScanResult];
  playlists: [];
}

export interface LibraryServiceOptions {
  /** Where the index and the cover thumbnails live; without it nothing is kept on disk. */
  dataDir?: string;
  /** Watch the folder for changes (default true). */
  watch?: boolean;
  /** Full stat-only check every so often, for filesystems without events; 0 turns it off. */
  rescanIntervalMs?: number;
  /** Count frames of MP3s whose duration is a guess, after each scan (default true). */
  exactDurations?: boolean;
  /** Watcher debounce. */
  debounceMs?: number;
  /** Tag reads in flight at once. */
  concurrency?: number;
}

export const DEFAULT_RESCAN_INTERVAL_MS = 5 * 60_000;
/** File names that are not valid UTF-8 are warned about once each, for at most this many files. */
export const MAX_BAD_NAMES_WARNED = 1000;
const PROGRESS_INTERVAL_MS = 250;
const CHANGED_DURING_SCAN_MS = 3000;

export class LibraryService extends EventEmitter<LibraryEvents> {
  readonly catalog = new Catalog();
  /** Album covers and their thumbnails. */
  readonly covers: CoverService;
  /** The `.m3u`, `.m3u8` and `.pls` files in the folder (read-only playlists). */
  readonly playlistFiles: PlaylistFiles;
  readonly #log: FastifyBaseLogger;
  readonly #options: LibraryServiceOptions;
  readonly #abort = new AbortController();
  /** Undefined without a data folder: nothing is kept on disk. */
  readonly #index: IndexPersistence | undefined;
  readonly #durations: ExactDurations | undefined;
  readonly #rootPoll: RootPoll;
  #status: ScanStatus = { scanning: false, done: 0, total: 0, trackCount: 0 };
  #queue: Promise<unknown> = Promise.resolve();
  #pendingScan: Promise<ScanResult> | undefined;
  #pendingUpdate: { dirs: Set<string>; promise: Promise<ScanResult> } | undefined;
  #watcher: FolderWatcher | undefined;
  /** Every folder listed so far (relative real paths). */
  #folders = new Set<string>();
  #rescanTimer: NodeJS.Timeout | undefined;
  #indexLoaded: Promise<void> = Promise.resolve();
  /** Files whose name is not valid UTF-8, already warned about. */
  readonly #badNames = new Set<string>();
  /** Files whose name is not valid UTF-8 that the last full scan (and updates since) found. */
  #unplayableNames = new Set<string>();
  #announcedVersion = 0;
  #announcedPlaylistsVersion = 0;
  #lastProgressAt = 0;
  #lastChangedAt = 0;
  #closed = false;

  constructor(
    /** Real (symlink-resolved) absolute path of the media folder. */
    readonly root: string,
    log: FastifyBaseLogger,
    options: LibraryServiceOptions = {},
  ) {
    super();
    this.#log = log;
    this.#options = options;
    this.covers = new CoverService(this.catalog, root, options.dataDir, log);
    this.playlistFiles = new PlaylistFiles(root, log);
    if (options.dataDir !== undefined) {
      this.#index = new IndexPersistence(join(options.dataDir, INDEX_FILE), {
        root,
        catalog: this.catalog,
        log,
        scanning: () => this.#status.scanning,
      });
    }
    if (options.exactDurations !== false) {
      this.#durations = new ExactDurations({
        catalog: this.catalog,
        log,
        signal: this.#abort.signal,
        onCounted: () => this.#announceNowAndThen(),
        onRoundDone: () => {
          this.#announce();
          this.#index?.saveSoon();
        },
      });
    }
    // The library is kept while the folder is away (the index is not thrown away over an
    // unplugged disk); every watch made before may be on a folder that no longer exists.
    this.#rootPoll = new RootPoll(root, {
      onGone: () => {
        this.#watcher?.removeTree('');
        this.#log.warn({ folder: root }, 'the media folder is gone; the library is kept and will be rescanned when it is back');
      },
      onBack: () => {
        this.#log.info({ folder: root }, 'the media folder is back: rescanning');
        this.#watcher?.removeTree('');
        this.scan().catch((error: unknown) => this.#failed(error, 'library scan failed'));
      },
    });
  }

  /** A scan asked for and not started yet (waiting for the index load or an update) counts as scanning. */
  /**
   * Files in the folder that cannot be played, each with the reason: not readable audio (from
   * the catalog) and names that are not valid UTF-8 (lossily decoded). At most `limit` listed.
   */
  unplayable(limit: number): { total: number; files: { path: string; reason: string }[] } {
    const files: { path: string; reason: string }[] = [];
    let total = 0;
    for (const [, failed] of this.catalog.failedFiles()) {
      total++;
      if (files.length < limit) files.push({ path: failed.path, reason: failed.reason });
    }
    for (const path of this.#unplayableNames) {
      total++;
      if (files.length < limit) files.push({ path, reason: BAD_NAME_MESSAGE });
    }
    return { total, files };
  }

  get status(): ScanStatus {
    return { ...this.#status, scanning: this.#status.scanning || this.#pendingScan !== undefined, trackCount: this.catalog.size };
  }

  /**
   * Loads the saved index (tracks are listed at once), then scans: unchanged files keep their
   * records, so a restart over an unchanged library reads no tags. Watching and the periodic
   * check start with the scan. Resolves when the first scan is done; `indexLoaded()` when the
   * index is in the catalog.
   */
  async start(): Promise<ScanResult> {
    if (this.#options.watch !== false) {
      this.#watcher = new FolderWatcher(this.root, {
        debounceMs: this.#options.debounceMs,
        onChange: (dirs) => {
          this.update(dirs).catch((error: unknown) => this.#failed(error, 'library update failed'));
        },
        onError: (relDir, error) => this.#log.warn({ folder: relDir, reason: error.message }, 'cannot watch folder; the periodic check covers it'),
      });
    }
    const interval = this.#options.rescanIntervalMs ?? DEFAULT_RESCAN_INTERVAL_MS;
    if (interval > 0) {
      this.#rescanTimer = setInterval(() => {
        if (!this.#pendingScan) this.scan().catch((error: unknown) => this.#failed(error, 'periodic library check failed'));
      }, interval);
      this.#rescanTimer.unref();
    }
    this.#indexLoaded = this.#enqueue(async () => {
      if (await this.#index?.load()) this.#announce();
    }).catch(() => {});
    return this.scan();
  }

  /** Resolves once `start()` has loaded the saved index (or found none); never rejects. */
  indexLoaded(): Promise<void> {
    return this.#indexLoaded;
  }

  /**
   * Scans the whole folder. Scans never overlap: one asked for while another runs starts after
   * it, and asks made before it starts share it, so the result always reflects the folder as
   * it was at or after the call.
   */
  scan(): Promise<ScanResult> {
    if (this.#pendingScan) return this.#pendingScan;
    const promise = this.#enqueue(() => {
      this.#pendingScan = undefined;
      return this.#scanOnce();
    });
    this.#pendingScan = promise;
    return promise;
  }

  /** Re-lists the given folders (relative paths) after a watcher event. */
  update(relDirs: Iterable<string>): Promise<ScanResult> {
    if (this.#pendingUpdate) {
      for (const dir of relDirs) this.#pendingUpdate.dirs.add(dir);
      return this.#pendingUpdate.promise;
    }
    const dirs = new Set(relDirs);
    const promise = this.#enqueue(() => {
      this.#pendingUpdate = undefined;
      return this.#updateOnce(dirs);
    });
    this.#pendingUpdate = { dirs, promise };
    return promise;
  }

  /** Stops watching and background work, waits for the running scan to stop, saves the index. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    clearInterval(this.#rescanTimer);
    this.#rootPoll.close();
    this.#index?.stop();
    this.#watcher?.close();
    await this.#queue;
    await this.#durations?.settled();
    await this.#index?.flush();
    this.removeAllListeners();
  }

  /** Saves the index now if anything changed since the last save. */
  async flush(): Promise<void> {
    await this.#index?.flush();
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      this.#abort.signal.throwIfAborted();
      return task();
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  #scanOptions(): ScanOptions {
    return {
      log: this.#log,
      concurrency: this.#options.concurrency,
      signal: this.#abort.signal,
      onBadName: (relPath) => this.#badName(relPath),
      onTrack: () => {
        // During a long scan: tell clients about new tracks now and then, and save now and then.
        this.#announceNowAndThen();
        this.#index?.saveSoon();
      },
    };
  }

  async #scanOnce(): Promise<ScanResult> {
    const folders = new Set<string>();
    const badNames = new Set<string>();
    this.#status = { scanning: true, done: 0, total: 0, trackCount: this.catalog.size };
    this.#emitProgress(true);
    let result: ScanResult;
    try {
      result = await scanLibrary(this.root, this.catalog, {
        ...this.#scanOptions(),
        onBadName: (relPath) => {
          if (badNames.size < MAX_BAD_NAMES_WARNED) badNames.add(relPath);
          this.#badName(relPath);
        },
        onProgress: (progress) => this.#scanProgress(progress),
        onFolder: (listing) => {
          folders.add(listing.relDir);
          this.#folderListed(listing);
        },
      });
    } catch (error) {
      this.#status = { ...this.#status, scanning: false };
      this.#emitProgress(true);
      this.#lookForRootIfGone(error);
      throw error;
    }
    // Folders that were not listed this time are gone.
    for (const folder of this.#folders) if (!folders.has(folder)) this.#watcher?.remove(folder);
    this.playlistFiles.keepFolders(folders);
    await this.playlistFiles.settled();
    this.#folders = folders;
    this.#unplayableNames = badNames;
    this.#status = { scanning: false, done: result.done, total: result.found, trackCount: this.catalog.size };
    this.#emitProgress(true);
    this.#log.info(
      { tracks: this.catalog.size, read: result.read, skipped: result.skipped, removed: result.removed, ms: Math.round(result.durationMs) },
      'library scan finished',
    );
    this.emit('scanned', result);
    this.#afterChange();
    return result;
  }

  async #updateOnce(dirs: Set<string>): Promise<ScanResult> {
    let result: ScanResult;
    try {
      result = await updateFolders(this.root, this.catalog, dirs, {
        ...this.#scanOptions(),
        knownFolders: this.#folders,
        onFolder: (listing) => this.#folderListed(listing),
        onFolderGone: (relDir) => {
          this.#watcher?.removeTree(relDir);
          this.playlistFiles.folderGone(relDir);
          const prefix = `${relDir}/`;
          for (const folder of this.#folders) if (folder === relDir || folder.startsWith(prefix)) this.#folders.delete(folder);
        },
      });
    } catch (error) {
      this.#lookForRootIfGone(error);
      throw error;
    }
    await this.playlistFiles.settled();
    if (result.read + result.removed + result.skipped > 0) {
      this.#log.info({ folders: dirs.size, read: result.read, skipped: result.skipped, removed: result.removed, ms: Math.round(result.durationMs) }, 'library updated');
    }
    this.#afterChange();
    return result;
  }

  /** A scan or update failed because the media folder itself is gone: look for its return. */
  #lookForRootIfGone(error: unknown): void {
    if (isFolderGone(error) && !this.#closed) this.#rootPoll.start();
  }

  /** Background work failed: an error, unless it is the media folder being away (reported once, by the poll). */
  #failed(error: unknown, what: string): void {
    if (isFolderGone(error)) this.#log.debug({ reason: (error as Error).message }, what);
    else this.#log.error({ err: error }, what);
  }

  /** Once per file (and only for the first `MAX_BAD_NAMES_WARNED`): rescans say nothing new. */
  #badName(relPath: string): void {
    if (this.#unplayableNames.size < MAX_BAD_NAMES_WARNED) this.#unplayableNames.add(relPath);
    if (this.#badNames.has(relPath) || this.#badNames.size >= MAX_BAD_NAMES_WARNED) return;
    this.#badNames.add(relPath);
    this.#log.warn({ path: relPath }, BAD_NAME_MESSAGE);
    if (this.#badNames.size === MAX_BAD_NAMES_WARNED) this.#log.warn({ count: MAX_BAD_NAMES_WARNED }, 'more files with names that are not valid UTF-8: not listing them');
  }

  #folderListed(listing: FolderListing): void {
    this.#folders.add(listing.relDir);
    this.#watcher?.add(listing.relDir);
    this.playlistFiles.folderListed(listing);
  }

  #scanProgress(progress: Readonly<ScanProgress>): void {
    this.#status = { scanning: true, done: progress.done, total: progress.found, trackCount: this.catalog.size };
    this.#emitProgress(false);
  }

  #emitProgress(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.#lastProgressAt < PROGRESS_INTERVAL_MS) return;
    this.#lastProgressAt = now;
    this.emit('progress', this.status);
  }

  /** Emits `changed` when the catalog changed since the last one. */
  #announce(): void {
    if (this.catalog.version === this.#announcedVersion) return;
    this.#announcedVersion = this.catalog.version;
    this.#lastChangedAt = Date.now();
    this.emit('changed', { trackCount: this.catalog.size });
  }

  /** While tracks keep changing (a long scan, the duration pass): `changed` every few seconds. */
  #announceNowAndThen(): void {
    if (Date.now() - this.#lastChangedAt >= CHANGED_DURING_SCAN_MS) this.#announce();
  }

  /** After a scan or folder update: tell clients, save, and count frames where durations are guesses. */
  #afterChange(): void {
    if (this.#closed) return;
    this.#announce();
    if (this.playlistFiles.version !== this.#announcedPlaylistsVersion) {
      this.#announcedPlaylistsVersion = this.playlistFiles.version;
      this.emit('playlists');
    }
    this.#index?.saveNow();
    this.#durations?.run();
  }
}
