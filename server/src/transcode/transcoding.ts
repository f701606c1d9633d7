/**
 * The server's transcoding, set up on first need: find ffmpeg (once), then the cache in the
 * data folder's `transcodes/`. When no ffmpeg works, one log line says how to install it,
 * transcoded requests get 503 (`get()` resolves to null) and `status()` says why, so the client
 * can show such tracks as "cannot play on this device" with the reason.
 *
 * Sources ffmpeg cannot decode are remembered here (their real paths, at most
 * MAX_UNDECODABLE_KEPT), for `GET /api/unplayable`.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TRANSCODE_BITRATE, TRANSCODE_BITRATES, type TranscodingStatus } from '@musicsharer/shared';
import type { FastifyBaseLogger } from 'fastify';
import { findFfmpeg, INSTALL_HINT } from './ffmpeg.js';
import { Transcodes } from './transcodes.js';

/** Undecodable files remembered for the unplayable list (a stranger cannot grow it: each is a library file). */
const MAX_UNDECODABLE_KEPT = 1000;

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
  /** What `GET /api/transcoding` answers (finds ffmpeg on the first call). */
  status(): Promise<TranscodingStatus>;
  /** Real paths of the sources ffmpeg could not decode, with its message. */
  undecodable(): ReadonlyMap<string, string>;
  close(): Promise<void>;
}

export function transcoding(options: TranscodingOptions): Transcoding {
  let setup: Promise<Transcodes | null> | undefined;
  const undecodable = new Map<string, string>();
  const noFfmpeg = options.ffmpeg
    ? `the ffmpeg given with --ffmpeg (${options.ffmpeg}) does not run or cannot encode MP3`
    : `this server has no ffmpeg: ${INSTALL_HINT}`;
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
      onUndecodable: (path, reason) => {
        if (undecodable.size < MAX_UNDECODABLE_KEPT || undecodable.has(path)) undecodable.set(path, reason);
      },
    });
  };
  const get = () => (setup ??= start());
  return {
    get,
    async status() {
      const available = (await get()) !== null;
      return { available, reason: available ? null : noFfmpeg, bitrates: [...TRANSCODE_BITRATES], defaultBitrate: DEFAULT_TRANSCODE_BITRATE };
    },
    undecodable: () => undecodable,
    async close() {
      await (await setup)?.close();
    },
  };
}
