/**
 * The server's transcoding, set up on first need: find ffmpeg (once), then the cache in the
 * data folder's `transcodes/`. When no ffmpeg works, one log line says how to install it, and transcoded
 * requests get 503 (`get()` resolves to null).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { findFfmpeg, INSTALL_HINT } from './ffmpeg.js';
import { Transcodes } from './transcodes.js';

export interface TranscodingOptions {
  /** `--ffmpeg PATH`; false: none (tests of the missing case). */
  ffmpeg: string | false | undefined;
  /** The data folder: transcodes go in its `transcodes/`. */
  dataDir: string;
  maxBytes: number;
  log: FastifyBaseLogger;
  /** Default: the number of cores. */
  maxEncoders?: number;
  /** Default 10 s. */
  idleMs?: number;
}

export interface Transcoding {
  get(): Promise<Transcodes | null>;
  close(): Promise<void>;
}

export function transcoding(options: TranscodingOptions): Transcoding {
  let setup: Promise<Transcodes | null> | undefined;
  const start = async () => {
    const ffmpeg = await findFfmpeg(options.ffmpeg);
    if (ffmpeg === undefined) {
      options.log.warn({ ffmpeg: options.ffmpeg || undefined }, `no working ffmpeg: tracks that need transcoding cannot play; ${INSTALL_HINT}`);
      return null;
    }
    // Debug: a start that works says nothing (the banner is the start's one announcement).
    options.log.debug({ ffmpeg: ffmpeg.path, source: ffmpeg.source, version: ffmpeg.version }, 'transcoding with ffmpeg');
    return new Transcodes({
      ffmpeg,
      dir: join(options.dataDir, 'transcodes'),
      maxBytes: options.maxBytes,
      maxEncoders: options.maxEncoders ?? availableParallelism(),
      idleMs: options.idleMs ?? 10_000,
      log: options.log,
    });
  };
  return {
    get: () => (setup ??= start()),
    async close() {
      await (await setup)?.close();
    },
  };
}
