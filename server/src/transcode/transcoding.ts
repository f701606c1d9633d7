/**
 * The server's transcoding, set up on first need: find ffmpeg (once), then the cache in the
 * data folder. When no ffmpeg works, one log line says how to install it, and transcoded
 * requests get 503 (`get()` resolves to null).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { findFfmpeg, INSTALL_HINT } from './ffmpeg.js';
import { Transcodes } from './transcodes.js';

export interface TranscodingOptions {
  /** `--ffmpeg PATH`; false: none (tests of the missing case). */
  ffmpeg: string | false | undefined;
  /** The data folder (absent: a temporary folder removed on close). */
  dataDir: string | undefined;
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
  let setup: Promise<{ transcodes: Transcodes | null; temp?: string }> | undefined;
  const start = async () => {
    const ffmpeg = await findFfmpeg(options.ffmpeg);
    if (ffmpeg === undefined) {
      options.log.warn({ ffmpeg: options.ffmpeg || undefined }, `no working ffmpeg: tracks that need transcoding cannot play; ${INSTALL_HINT}`);
      return { transcodes: null };
    }
    // Debug: a start that works says nothing (the banner is the start's one announcement).
    options.log.debug({ ffmpeg: ffmpeg.path, source: ffmpeg.source, version: ffmpeg.version }, 'transcoding with ffmpeg');
    const temp = options.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'musicsharer-transcodes-')) : undefined;
    const transcodes = new Transcodes({
      ffmpeg,
      dir: temp ?? join(options.dataDir!, 'transcodes'),
      maxBytes: options.maxBytes,
      maxEncoders: options.maxEncoders ?? availableParallelism(),
      idleMs: options.idleMs ?? 10_000,
      log: options.log,
    });
    return temp === undefined ? { transcodes } : { transcodes, temp };
  };
  return {
    get: async () => (await (setup ??= start())).transcodes,
    async close() {
      if (setup === undefined) return;
      const { transcodes, temp } = await setup;
      await transcodes?.close();
      if (temp !== undefined) await rm(temp, { recursive: true, force: true });
    },
  };
}
