/**
 * The library as the rest of the server sees it: the catalog, the media root, scans, the index
 * on disk, the folder watcher, covers and the background exact-duration pass.
 *
 * Emits `progress` while a full scan runs (at most 4 per second), `changed` after tracks were
 * added, changed or removed (at most every few seconds during a long scan, so clients see
 * tracks as they are read), and `scanned` after each full scan.
 *
 * Scans and folder updates run one at a time, in order. The index is saved a moment after
 * changes settle (every 30 s during a long scan), at the end of each scan, and on close.
 */
import { EventEmitter } from 'node:events';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScanStatus } from '@musicsharer/shared';
import type { FastifyBaseLogger } from 'fastify';
import { Catalog } from './catalog.js';
import { CoverService } from './covers.js';
import { IndexCorruptError, IndexStore, INDEX_FILE } from './index-store.js';
import { exactMp3Duration } from './mp3-duration.js';
import type { TrackRecord } from './record.js';
import { scanLibrary, updateFolders, type ScanOptions, type ScanProgress, type ScanResult } from './scanner.js';
import type { FolderListing } from './walk.js';
import { FolderWatcher } from './watcher.js';

export interface LibraryEvents {
  progress: [ScanStatus];
  changed: [{ trackCount: number }];
  scanned: [ScanResult];
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
const PROGRESS_INTERVAL_MS = 250;
const CHANGED_DURING_SCAN_MS = 3000;
const SAVE_DELAY_MS = 1500;
const SAVE_DELAY_SCANNING_MS = 30_000;
/** While the media folder itself is gone (a disk unplugged, a share unmounted): how often to look for it. */
const ROOT_POLL_MS = 2000;

export class LibraryService extends EventEmitter<LibraryEvents> {
  readonly catalog = new Catalog();
  /** Album covers and their thumbnails. */
  readonly covers: CoverService;
  readonly #log: FastifyBaseLogger;
  readonly #options: LibraryServiceOptions;
  readonly #store: IndexStore | undefined;
  readonly #abort = new AbortController();
  #status: ScanStatus = { scanning: false, done: 0, total: 0, trackCount: 0 };
  #queue: Promise<unknown> = Promise.resolve();
  #pendingScan: Promise<ScanResult> | undefined;
  #pendingUpdate: { dirs: Set<string>; promise: Promise<ScanResult> } | undefined;
  #watcher: FolderWatcher | undefined;
  /** Every folder listed so far (relative real paths). */
  #folders = new Set<string>();
  #rescanTimer: NodeJS.Timeout | undefined;
  #rootPoll: NodeJS.Timeout | undefined;
  #saveTimer: NodeJS.Timeout | undefined;
  #saving: Promise<void> | undefined;
  #savedVersion = -1;
  #saveFailed = false;
  #announcedVersion = 0;
  #lastProgressAt = 0;
  #lastChangedAt = 0;
  #durations: Promise<void> | undefined;
  #durationsAgain = false;
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
    this.#store = options.dataDir === undefined ? undefined : new IndexStore(join(options.dataDir, INDEX_FILE));
    this.covers = new CoverService(this.catalog, root, options.dataDir, log);
  }

  get status(): ScanStatus {
    return { ...this.#status, trackCount: this.catalog.size };
  }

  /** Folders being watched (for tests and diagnostics). */
  get watchedFolders(): number {
    return this.#watcher?.size ?? 0;
  }

  /**
   * Loads the saved index (tracks are listed at once), then scans: unchanged files keep their
   * records, so a restart over an unchanged library reads no tags. Watching and the periodic
   * check start with the scan. Resolves when the first scan is done.
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
    void this.#enqueue(() => this.#loadIndex());
    return this.scan();
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
    clearInterval(this.#rootPoll);
    clearTimeout(this.#saveTimer);
    this.#watcher?.close();
    await this.#queue;
    await this.#durations;
    await this.#saving;
    if (this.catalog.version !== this.#savedVersion) await this.#save();
    this.removeAllListeners();
  }

  /** Saves the index now if anything changed since the last save. */
  async flush(): Promise<void> {
    await this.#saving;
    if (this.catalog.version !== this.#savedVersion) await this.#save();
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      this.#abort.signal.throwIfAborted();
      return task();
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  async #loadIndex(): Promise<void> {
    if (!this.#store) return;
    const started = performance.now();
    try {
      const snapshot = await this.#store.load();
      if (!snapshot) return;
      if (snapshot.root !== this.root) {
        this.#log.warn({ indexRoot: snapshot.root }, 'library index is for another folder: rescanning');
        return;
      }
      for (const record of snapshot.records) this.catalog.upsert(record);
      for (const [folder, image] of snapshot.folderImages) this.catalog.setFolderImage(folder, image);
      this.#savedVersion = this.catalog.version;
      this.#announce();
      this.#log.info({ tracks: this.catalog.size, ms: Math.round(performance.now() - started) }, 'library index loaded');
    } catch (error) {
      const reason = error instanceof IndexCorruptError ? error.message : (error as Error).message;
      this.#log.warn({ file: this.#store.file, reason }, 'library index unreadable: rescanning the whole folder');
    }
  }

  #scanOptions(): ScanOptions {
    return {
      log: this.#log,
      concurrency: this.#options.concurrency,
      signal: this.#abort.signal,
      onTrack: () => this.#trackRead(),
    };
  }

  async #scanOnce(): Promise<ScanResult> {
    const folders = new Set<string>();
    this.#status = { scanning: true, done: 0, total: 0, trackCount: this.catalog.size };
    this.#emitProgress(true);
    let result: ScanResult;
    try {
      result = await scanLibrary(this.root, this.catalog, {
        ...this.#scanOptions(),
        onProgress: (progress) => this.#scanProgress(progress),
        onFolder: (listing) => {
          folders.add(listing.relDir);
          this.#folderListed(listing);
        },
      });
    } catch (error) {
      this.#status = { ...this.#status, scanning: false };
      this.#emitProgress(true);
      this.#watchForRoot(error);
      throw error;
    }
    // Folders that were not listed this time are gone.
    for (const folder of this.#folders) if (!folders.has(folder)) this.#watcher?.remove(folder);
    this.#folders = folders;
    this.#status = { scanning: false, done: result.done, total: result.found, trackCount: this.catalog.size };
    this.#emitProgress(true);
    this.#log.info(
      { tracks: this.catalog.size, read: result.read, skipped: result.skipped, removed: result.removed, ms: Math.round(result.durationMs) },
      'library scan finished',
    );
    this.emit('scanned', result);
    this.#afterChange(true);
    return result;
  }

  async #updateOnce(dirs: Set<string>): Promise<ScanResult> {
    try {
      return await this.#updateFolders(dirs);
    } catch (error) {
      this.#watchForRoot(error);
      throw error;
    }
  }

  async #updateFolders(dirs: Set<string>): Promise<ScanResult> {
    const result = await updateFolders(this.root, this.catalog, dirs, {
      ...this.#scanOptions(),
      knownFolders: this.#folders,
      onFolder: (listing) => this.#folderListed(listing),
      onFolderGone: (relDir) => {
        this.#watcher?.removeTree(relDir);
        const prefix = `${relDir}/`;
        for (const folder of this.#folders) if (folder === relDir || folder.startsWith(prefix)) this.#folders.delete(folder);
      },
    });
    if (result.read + result.removed + result.skipped > 0) {
      this.#log.info({ folders: dirs.size, read: result.read, skipped: result.skipped, removed: result.removed, ms: Math.round(result.durationMs) }, 'library updated');
    }
    this.#afterChange(true);
    return result;
  }

  /**
   * The media folder itself is gone (a disk unplugged, a share unmounted, the folder deleted):
   * the library is kept as it is (the index is not thrown away over an unplugged disk), its
   * watches are dead, and nothing would tell us when it is back. So look for it every few
   * seconds, and rescan it when it is.
   */
  #watchForRoot(error: unknown): void {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if ((code !== 'ENOENT' && code !== 'ENOTDIR') || this.#rootPoll !== undefined || this.#closed) return;
    // Asynchronous checks: a hung network mount must not stall the event loop.
    const rootExists = () => access(this.root).then(() => true, () => false);
    let looking = false;
    this.#rootPoll = setInterval(() => {
      if (looking) return;
      looking = true;
      void rootExists().then((back) => {
        looking = false;
        if (!back || this.#closed || this.#rootPoll === undefined) return;
        clearInterval(this.#rootPoll);
        this.#rootPoll = undefined;
        this.#log.info({ folder: this.root }, 'the media folder is back: rescanning');
        // Every watch made before may be on a folder that no longer exists: start afresh.
        this.#watcher?.removeTree('');
        this.scan().catch((scanError: unknown) => this.#failed(scanError, 'library scan failed'));
      });
    }, ROOT_POLL_MS);
    this.#rootPoll.unref();
    void rootExists().then((exists) => {
      if (exists) return; // already back (replaced at once): the first poll rescans it
      this.#watcher?.removeTree('');
      this.#log.warn({ folder: this.root }, 'the media folder is gone; the library is kept and will be rescanned when it is back');
    });
  }

  /** Background work failed: an error, unless it is the media folder being away (reported once, above). */
  #failed(error: unknown, what: string): void {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') this.#log.debug({ reason: (error as Error).message }, what);
    else this.#log.error({ err: error }, what);
  }

  #folderListed(listing: FolderListing): void {
    this.#folders.add(listing.relDir);
    this.#watcher?.add(listing.relDir);
  }

  #scanProgress(progress: Readonly<ScanProgress>): void {
    this.#status = { scanning: true, done: progress.done, total: progress.found, trackCount: this.catalog.size };
    this.#emitProgress(false);
  }

  /** During a long scan: tell clients about new tracks now and then, and save now and then. */
  #trackRead(): void {
    if (Date.now() - this.#lastChangedAt >= CHANGED_DURING_SCAN_MS) this.#announce();
    this.#scheduleSave();
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

  #afterChange(workDone: boolean): void {
    if (this.#closed) return;
    this.#announce();
    if (this.catalog.version !== this.#savedVersion) this.#scheduleSave(0);
    if (workDone && this.#options.exactDurations !== false) this.#refineDurations();
  }

  #scheduleSave(delay?: number): void {
    if (!this.#store || this.#closed) return;
    const wait = delay ?? (this.#status.scanning ? SAVE_DELAY_SCANNING_MS : SAVE_DELAY_MS);
    if (this.#saveTimer && wait > 0) return;
    clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      this.#save().catch(() => {});
    }, wait);
  }

  async #save(): Promise<void> {
    if (!this.#store) return;
    if (this.#saving) {
      await this.#saving;
      if (this.catalog.version === this.#savedVersion) return;
    }
    const version = this.catalog.version;
    // Records are never changed in place, so this array is a consistent snapshot.
    const snapshot = { root: this.root, records: [...this.catalog.records()], folderImages: [...this.catalog.folderImages()] };
    const started = performance.now();
    this.#saving = this.#store.save(snapshot).then(
      () => {
        this.#savedVersion = version;
        this.#saveFailed = false;
        this.#log.debug({ tracks: snapshot.records.length, ms: Math.round(performance.now() - started) }, 'library index saved');
      },
      (error: unknown) => {
        if (!this.#saveFailed) this.#log.warn({ file: this.#store!.file, reason: (error as Error).message }, 'cannot save the library index');
        this.#saveFailed = true;
      },
    );
    try {
      await this.#saving;
    } finally {
      this.#saving = undefined;
    }
    if (this.catalog.version !== this.#savedVersion && !this.#saveFailed) this.#scheduleSave();
  }

  /** Counts frames of MP3s whose duration is a guess, one file at a time, in the background. */
  #refineDurations(): void {
    if (this.#durations) {
      this.#durationsAgain = true;
      return;
    }
    this.#durations = (async () => {
      do {
        this.#durationsAgain = false;
        const pending = [...this.catalog.records()].filter((record) => record.estimatedDuration);
        for (const record of pending) {
          if (this.#abort.signal.aborted) return;
          await this.#refineOne(record);
          if (Date.now() - this.#lastChangedAt >= CHANGED_DURING_SCAN_MS) this.#announce();
        }
        if (pending.length > 0) {
          this.#announce();
          this.#scheduleSave();
        }
      } while (this.#durationsAgain && !this.#abort.signal.aborted);
    })()
      .catch((error: unknown) => this.#log.error({ err: error }, 'exact durations failed'))
      .finally(() => {
        this.#durations = undefined;
      });
  }

  async #refineOne(record: TrackRecord): Promise<void> {
    let seconds: number | undefined;
    let audioBytes = 0;
    try {
      const exact = await exactMp3Duration(record.realPath, this.#abort.signal);
      seconds = exact?.seconds;
      audioBytes = exact?.audioBytes ?? 0;
    } catch (error) {
      if (this.#abort.signal.aborted) return;
      this.#log.debug({ path: record.path, reason: (error as Error).message }, 'cannot count MP3 frames');
    }
    // The file may have changed or gone while we counted: only update the record we counted.
    if (this.catalog.getRecord(record.id) !== record) return;
    const { estimatedDuration: _estimated, ...refined } = record;
    if (seconds !== undefined && seconds > 0) {
      refined.duration = seconds;
      refined.bitrate = Math.round((audioBytes * 8) / seconds);
    }
    this.catalog.upsert(refined);
  }
}
