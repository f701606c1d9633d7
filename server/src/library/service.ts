/**
 * The library as the rest of the server sees it: the catalog, the media root, and scans.
 * Emits `progress` while scanning and `changed` after tracks were added, changed or removed.
 */
import { EventEmitter } from 'node:events';
import type { ScanStatus } from '@musicsharer/shared';
import type { FastifyBaseLogger } from 'fastify';
import { Catalog } from './catalog.js';
import { scanLibrary, type ScanResult } from './scanner.js';

export interface LibraryEvents {
  progress: [ScanStatus];
  changed: [{ trackCount: number }];
  scanned: [ScanResult];
}

export class LibraryService extends EventEmitter<LibraryEvents> {
  readonly catalog = new Catalog();
  #status: ScanStatus = { scanning: false, done: 0, total: 0, trackCount: 0 };
  #running: Promise<ScanResult> | undefined;
  #rescanRequested = false;

  constructor(
    /** Real (symlink-resolved) absolute path of the media folder. */
    readonly root: string,
    private readonly log: FastifyBaseLogger,
  ) {
    super();
  }

  get status(): ScanStatus {
    return { ...this.#status, trackCount: this.catalog.size };
  }

  /**
   * Scans the folder. A scan asked for while one runs is run once more after it, so no change
   * is missed and scans never overlap.
   */
  scan(): Promise<ScanResult> {
    if (this.#running) {
      this.#rescanRequested = true;
      return this.#running;
    }
    this.#running = this.#scanOnce().finally(() => {
      this.#running = undefined;
      if (this.#rescanRequested) {
        this.#rescanRequested = false;
        void this.scan();
      }
    });
    return this.#running;
  }

  async #scanOnce(): Promise<ScanResult> {
    const versionBefore = this.catalog.version;
    this.#status = { scanning: true, done: 0, total: 0, trackCount: this.catalog.size };
    this.emit('progress', this.status);
    const result = await scanLibrary(this.root, this.catalog, {
      log: this.log,
      onProgress: (progress) => {
        this.#status = { scanning: true, done: progress.done, total: progress.found, trackCount: this.catalog.size };
        this.emit('progress', this.#status);
      },
    });
    this.#status = { scanning: false, done: result.done, total: result.found, trackCount: this.catalog.size };
    this.emit('progress', this.status);
    this.log.info(
      { tracks: this.catalog.size, read: result.read, skipped: result.skipped, removed: result.removed, ms: Math.round(result.durationMs) },
      'library scan finished',
    );
    this.emit('scanned', result);
    if (this.catalog.version !== versionBefore) this.emit('changed', { trackCount: this.catalog.size });
    return result;
  }
}
