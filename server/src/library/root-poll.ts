/**
 * The media folder itself gone (a disk unplugged, a share unmounted, the folder deleted): its
 * folder watches are dead and nothing would tell us when it is back. `RootPoll` looks for it
 * every 2 s until it is, then hands over (the library rescans). Beside `watcher.ts`: it covers
 * the one change the folder watches cannot see.
 */
import { access } from 'node:fs/promises';

/** While the media folder is gone: how often to look for it. */
const ROOT_POLL_MS = 2000;

/** Whether an error says the media folder (or a folder on the way to it) is not there. */
export function isFolderGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export interface RootPollOptions {
  /** The folder is confirmed gone (once per absence). */
  onGone: () => void;
  /** The folder is back: polling has stopped. */
  onBack: () => void;
}

export class RootPoll {
  readonly #root: string;
  readonly #options: RootPollOptions;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(root: string, options: RootPollOptions) {
    this.#root = root;
    this.#options = options;
  }

  /** Starts looking for the folder, unless already looking. */
  start(): void {
    if (this.#timer !== undefined || this.#closed) return;
    let looking = false;
    this.#timer = setInterval(() => {
      if (looking) return;
      looking = true;
      void this.#exists().then((back) => {
        looking = false;
        if (!back || this.#timer === undefined) return;
        this.#stopPolling();
        this.#options.onBack();
      });
    }, ROOT_POLL_MS);
    this.#timer.unref();
    void this.#exists().then((exists) => {
      // Already back (replaced at once): the first poll hands it over.
      if (!exists && !this.#closed) this.#options.onGone();
    });
  }

  close(): void {
    this.#closed = true;
    this.#stopPolling();
  }

  #stopPolling(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Asynchronous: a hung network mount must not stall the event loop. */
  #exists(): Promise<boolean> {
    return access(this.#root).then(() => true, () => false);
  }
}
