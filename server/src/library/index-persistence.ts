/**
 * Keeps the index on disk in step with the catalog: loads it on start, saves a moment after
 * changes settle (every 30 s during a long scan, so a crash mid-scan keeps most of the work),
 * at once after each scan or folder update, and whatever is left on close. The file format
 * and crash safety are `IndexStore`'s; this module decides *when* to save.
 *
 * Saves never overlap, and a save writes a snapshot of the catalog as it was when it started:
 * changes made meanwhile are saved by the next one.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Catalog } from './catalog.js';
import { IndexCorruptError, IndexStore } from './index-store.js';

/** Quiet time after a change before it is saved. */
const SAVE_DELAY_MS = 1500;
/** During a full scan: tracks are read by the hundred a second, a save every 30 s is enough. */
const SAVE_DELAY_SCANNING_MS = 30_000;

export interface IndexPersistenceOptions {
  /** Real path of the media folder: an index of another folder is not loaded. */
  root: string;
  catalog: Catalog;
  log: FastifyBaseLogger;
  /** Whether a full scan is running (saves are then spaced further apart). */
  scanning: () => boolean;
}

export class IndexPersistence {
  readonly #store: IndexStore;
  readonly #root: string;
  readonly #catalog: Catalog;
  readonly #log: FastifyBaseLogger;
  readonly #scanning: () => boolean;
  #timer: NodeJS.Timeout | undefined;
  #saving: Promise<void> | undefined;
  #savedVersion = -1;
  #failed = false;
  #stopped = false;

  constructor(file: string, options: IndexPersistenceOptions) {
    this.#store = new IndexStore(file);
    this.#root = options.root;
    this.#catalog = options.catalog;
    this.#log = options.log;
    this.#scanning = options.scanning;
  }

  /**
   * Fills the catalog from the saved index. False when there is none, or it is unreadable or of
   * another folder (logged: the scan then reads the whole folder).
   */
  async load(): Promise<boolean> {
    const started = performance.now();
    try {
      const snapshot = await this.#store.load();
      if (!snapshot) return false;
      if (snapshot.root !== this.#root) {
        this.#log.warn({ indexRoot: snapshot.root }, 'library index is for another folder: rescanning');
        return false;
      }
      for (const record of snapshot.records) this.#catalog.upsert(record);
      for (const [folder, image] of snapshot.folderImages) this.#catalog.setFolderImage(folder, image);
      for (const failed of snapshot.failed) this.#catalog.setFailed(failed);
      this.#savedVersion = this.#catalog.version;
      this.#log.info({ tracks: this.#catalog.size, ms: Math.round(performance.now() - started) }, 'library index loaded');
      return true;
    } catch (error) {
      const reason = error instanceof IndexCorruptError ? error.message : (error as Error).message;
      this.#log.warn({ file: this.#store.file, reason }, 'library index unreadable: rescanning the whole folder');
      return false;
    }
  }

  /** Saves once changes settle (a save already scheduled stands). */
  saveSoon(): void {
    this.#schedule(this.#scanning() ? SAVE_DELAY_SCANNING_MS : SAVE_DELAY_MS);
  }

  /** Saves on the next turn of the event loop if anything changed since the last save. */
  saveNow(): void {
    if (!this.#unsaved()) return;
    this.#schedule(0);
  }

  /** No more scheduled saves (the library is closing); `flush()` saves what is left. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** Saves now if anything changed since the last save, after any save in progress. */
  async flush(): Promise<void> {
    await this.#saving;
    if (this.#unsaved()) await this.#save();
  }

  #unsaved(): boolean {
    return this.#catalog.version !== this.#savedVersion;
  }

  #schedule(delay: number): void {
    if (this.#stopped || (this.#timer && delay > 0)) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#save().catch(() => {});
    }, delay);
  }

  async #save(): Promise<void> {
    if (this.#saving) {
      await this.#saving;
      if (!this.#unsaved()) return;
    }
    const version = this.#catalog.version;
    // Records are never changed in place, so this array is a consistent snapshot.
    const snapshot = {
      root: this.#root,
      records: [...this.#catalog.records()],
      folderImages: [...this.#catalog.folderImages()],
      failed: [...this.#catalog.failedFiles()].map(([, failed]) => failed),
    };
    const started = performance.now();
    this.#saving = this.#store.save(snapshot).then(
      () => {
        this.#savedVersion = version;
        this.#failed = false;
        this.#log.debug({ tracks: snapshot.records.length, ms: Math.round(performance.now() - started) }, 'library index saved');
      },
      (error: unknown) => {
        if (!this.#failed) this.#log.warn({ file: this.#store.file, reason: (error as Error).message }, 'cannot save the library index');
        this.#failed = true;
      },
    );
    try {
      await this.#saving;
    } finally {
      this.#saving = undefined;
    }
    if (this.#unsaved() && !this.#failed) this.saveSoon();
  }
}
