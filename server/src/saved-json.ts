/**
 * A small JSON file that mirrors an in-memory table (sessions, shares): written whole and
 * crash-safely (atomic-file.ts) on demand, or batched for changes that can wait; saves run one
 * after another, each writing the table as it is when it starts.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import { writeFileAtomic } from './atomic-file.js';

export interface SavedFormat {
  format: string;
  version: number;
}

export class SavedJson {
  readonly #file: string;
  readonly #log: FastifyBaseLogger;
  readonly #format: SavedFormat;
  readonly #entries: () => unknown[];
  #timer: NodeJS.Timeout | undefined;
  #saving: Promise<void> = Promise.resolve();

  /** `entries` gives the table's rows at the moment a save starts. */
  constructor(file: string, log: FastifyBaseLogger, format: SavedFormat, entries: () => unknown[]) {
    this.#file = file;
    this.#log = log;
    this.#format = format;
    this.#entries = entries;
  }

  /**
   * The rows saved last time, or [] when there is no file. A file of another format is logged
   * and treated as empty (better than refusing to start).
   */
  async load(): Promise<unknown[]> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    try {
      const data = JSON.parse(text) as { format?: unknown; version?: unknown; entries?: unknown };
      if (data.format !== this.#format.format || data.version !== this.#format.version || !Array.isArray(data.entries)) throw new Error(`not a ${this.#format.format} file of version ${this.#format.version}`);
      return data.entries as unknown[];
    } catch (error) {
      this.#log.warn({ err: error, file: this.#file }, 'unreadable file: starting empty');
      return [];
    }
  }

  /** Writes now (after any save under way); rejects when the write fails (logged). */
  saveNow(): Promise<void> {
    const run = this.#saving.then(async () => {
      try {
        await writeFileAtomic(this.#file, `${JSON.stringify({ ...this.#format, entries: this.#entries() })}\n`);
      } catch (error) {
        this.#log.error({ err: error, file: this.#file }, 'could not save');
        throw error;
      }
    });
    this.#saving = run.catch(() => {});
    return run;
  }

  /** Writes within `delayMs` (one write for every change until then). */
  saveSoon(delayMs: number): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.saveNow().catch(() => {}); // logged in saveNow
    }, delayMs);
    this.#timer.unref();
  }

  /** Writes what is pending (on close). */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      await this.saveNow().catch(() => {});
    }
    await this.#saving;
  }
}
