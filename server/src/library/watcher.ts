/**
 * Watches the media folder for changes: one `fs.watch` per folder (not per file), and events
 * gathered into a debounced set of folders whose contents changed. The library then re-lists
 * just those folders (see `updateFolders`), instead of rescanning everything.
 *
 * Why plain per-folder `fs.watch` rather than chokidar or `fs.watch({ recursive: true })`:
 * on Linux both of those end up as inotify watches anyway, chokidar adds one per *file*
 * (150,000 tracks = 150,000 watches) and its own directory diffing, and Node 20's recursive
 * mode is a JavaScript emulation on Linux that knows nothing of how the scan resolves links
 * inside the folder. We already know every folder
 * from the scan (real paths, links resolved inside the root), and all we need from an event is
 * which folder changed. Filesystems that deliver no events (network shares) and watch limits
 * (ENOSPC) are covered by the periodic rescan; the media folder itself going away, by
 * `root-poll.ts`.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, join } from 'node:path';

export interface FolderWatcherOptions {
  /** Quiet time after the last event before the changes are handed over. */
  debounceMs?: number;
  /** Longest wait while events keep coming (a long copy still shows up as it goes). */
  maxWaitMs?: number;
  /** Receives the folders (relative paths) whose contents changed. */
  onChange: (relDirs: Set<string>) => void;
  onError?: (relDir: string, error: Error) => void;
}

export const DEFAULT_DEBOUNCE_MS = 700;
export const DEFAULT_MAX_WAIT_MS = 4000;

export class FolderWatcher {
  readonly #root: string;
  readonly #options: Required<Pick<FolderWatcherOptions, 'debounceMs' | 'maxWaitMs'>> & FolderWatcherOptions;
  readonly #watchers = new Map<string, FSWatcher>();
  #dirty = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #firstEventAt = 0;
  #closed = false;
  #limitReported = false;

  constructor(root: string, options: FolderWatcherOptions) {
    this.#root = root;
    this.#options = { debounceMs: DEFAULT_DEBOUNCE_MS, maxWaitMs: DEFAULT_MAX_WAIT_MS, ...options };
  }

  /** Starts watching a folder (relative to the root); a no-op when it is already watched. */
  add(relDir: string): void {
    if (this.#closed || this.#watchers.has(relDir)) return;
    const path = relDir === '' ? this.#root : join(this.#root, relDir);
    const ownName = basename(path);
    let watcher: FSWatcher;
    try {
      watcher = watch(path, { persistent: false }, (event, name) => {
        // The folder itself was deleted or moved away: inotify reports it under the folder's
        // own name, then the watch is dead, and a new folder made at the same path would go
        // unseen. Drop it; listing the folder (the library does, on this event) watches
        // whatever is there now. (A child of the same name renamed costs one re-watch.)
        if (event === 'rename' && name === ownName && this.#watchers.get(relDir) === watcher) this.remove(relDir);
        this.#touch(relDir);
      });
    } catch (error) {
      this.#reportError(relDir, error as NodeJS.ErrnoException);
      return;
    }
    // A watched folder that is deleted or moved away errors or goes quiet; its parent's
    // event tells the library, which then unwatches it.
    watcher.on('error', (error: NodeJS.ErrnoException) => {
      this.remove(relDir);
      this.#touch(relDir);
      this.#reportError(relDir, error);
    });
    this.#watchers.set(relDir, watcher);
  }

  /** Stops watching the folder and every folder below it. */
  removeTree(relDir: string): void {
    const prefix = `${relDir}/`;
    for (const watched of [...this.#watchers.keys()]) {
      if (watched === relDir || relDir === '' || watched.startsWith(prefix)) this.remove(watched);
    }
  }

  remove(relDir: string): void {
    const watcher = this.#watchers.get(relDir);
    if (!watcher) return;
    this.#watchers.delete(relDir);
    watcher.close();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
    this.#dirty.clear();
  }

  #touch(relDir: string): void {
    if (this.#closed) return;
    const now = Date.now();
    if (this.#dirty.size === 0) this.#firstEventAt = now;
    this.#dirty.add(relDir);
    clearTimeout(this.#timer);
    const wait = Math.max(0, Math.min(this.#options.debounceMs, this.#firstEventAt + this.#options.maxWaitMs - now));
    this.#timer = setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    const dirty = this.#dirty;
    this.#dirty = new Set();
    if (dirty.size > 0 && !this.#closed) this.#options.onChange(dirty);
  }

  #reportError(relDir: string, error: NodeJS.ErrnoException): void {
    if (error.code === 'ENOSPC' || error.code === 'EMFILE') {
      if (this.#limitReported) return; // once is enough: the periodic rescan covers the rest
      this.#limitReported = true;
    }
    this.#options.onError?.(relDir, error);
  }
}
