/**
 * The background exact-duration pass: MP3s whose duration is a guess (no Xing/Info/VBRI
 * header, see `hasEstimatedDuration`) get their frames counted (`exactMp3Duration`), one file
 * at a time so playback and scans keep the disk, and their records updated in the catalog.
 *
 * Asked to run while it runs, it goes round once more when done, so files found meanwhile are
 * counted too.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Catalog } from './catalog.js';
import { exactMp3Duration } from './mp3-duration.js';
import type { TrackRecord } from './record.js';

export interface ExactDurationsOptions {
  catalog: Catalog;
  log: FastifyBaseLogger;
  /** Stops the pass (the library is closing). */
  signal: AbortSignal;
  /** After each file: the catalog may have changed. */
  onCounted: () => void;
  /** After a round that counted at least one file. */
  onRoundDone: () => void;
}

export class ExactDurations {
  readonly #options: ExactDurationsOptions;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(options: ExactDurationsOptions) {
    this.#options = options;
  }

  /** Starts the pass, or has the running one go round again. */
  run(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#rounds()
      .catch((error: unknown) => this.#options.log.error({ err: error }, 'exact durations failed'))
      .finally(() => {
        this.#running = undefined;
      });
  }

  /** Resolves when no pass is running. */
  async settled(): Promise<void> {
    await this.#running;
  }

  async #rounds(): Promise<void> {
    const { catalog, signal } = this.#options;
    do {
      this.#again = false;
      const pending = [...catalog.records()].filter((record) => record.estimatedDuration);
      for (const record of pending) {
        if (signal.aborted) return;
        await this.#refine(record);
        this.#options.onCounted();
      }
      if (pending.length > 0) this.#options.onRoundDone();
    } while (this.#again && !signal.aborted);
  }

  async #refine(record: TrackRecord): Promise<void> {
    const { catalog, signal, log } = this.#options;
    let seconds: number | undefined;
    let audioBytes = 0;
    try {
      const exact = await exactMp3Duration(record.realPath, signal);
      seconds = exact?.seconds;
      audioBytes = exact?.audioBytes ?? 0;
    } catch (error) {
      if (signal.aborted) return;
      log.debug({ path: record.path, reason: (error as Error).message }, 'cannot count MP3 frames');
    }
    // The file may have changed or gone while we counted: only update the record we counted.
    if (catalog.getRecord(record.id) !== record) return;
    const { estimatedDuration: _estimated, ...refined } = record;
    if (seconds !== undefined && seconds > 0) {
      refined.duration = seconds;
      refined.bitrate = Math.round((audioBytes * 8) / seconds);
    }
    catalog.upsert(refined);
  }
}
