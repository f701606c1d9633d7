/**
 * Transcoding, as both sides see it: the stream URL of a track's MP3 form, the bitrates the
 * server offers, and what `GET /api/transcoding` answers. A track whose original this device
 * cannot play (the client decides, see client/src/state/playability.ts) is asked for as
 * `<stream url>?format=mp3[&bitrate=N]`; the server answers it with an exact length and byte
 * ranges from the first request.
 */
import type { Static } from 'typebox';
import type * as Schemas from './schemas.js';

export type TranscodingStatus = Static<typeof Schemas.TranscodingStatusSchema>;

/** kbit/s the server encodes at (`&bitrate=`); anything else is a 400. */
export const TRANSCODE_BITRATES = [96, 128, 192, 256, 320] as const;
export type TranscodeBitrate = (typeof TRANSCODE_BITRATES)[number];
/** Without `&bitrate=`. */
export const DEFAULT_TRANSCODE_BITRATE: TranscodeBitrate = 192;
/** Data saver: a track above this many kbit/s is streamed at this bitrate. */
export const DATA_SAVER_BITRATE: TranscodeBitrate = 128;

export function isTranscodeBitrate(value: number): value is TranscodeBitrate {
  return (TRANSCODE_BITRATES as readonly number[]).includes(value);
}

/**
 * A stream URL (`/stream/<id>` or `/s/<share>/stream/<id>`) for the track's MP3 form. Without a
 * bitrate, the server's default (192).
 */
export function transcodedUrl(streamUrl: string, bitrate?: TranscodeBitrate): string {
  return `${streamUrl}?format=mp3${bitrate === undefined ? '' : `&bitrate=${bitrate}`}`;
}
