/**
 * The byte layout of our transcoded MP3, decided before a single sample is encoded: CBR MPEG-1
 * Layer III at 48 kHz, bit reservoir off, no ID3, no Xing/LAME frame. At 48 kHz every bitrate
 * we offer gives a whole number of bytes per frame (144 * bitrate / 48000: no padding slot is
 * ever used), and without the bit reservoir every frame's audio data lies inside the frame
 * itself. So the file is `frames` frames of `frameSize` bytes, and byte offset `o` lies in
 * frame `floor(o / frameSize)`, which starts at `k * 1152 / 48000` seconds. The length is known
 * from the source's duration alone; any frame can be produced by an encoder started near it.
 *
 * Frames are produced in chunks of `CHUNK_FRAMES` (30 s), each by its own encoder run over the
 * same stretch of the source (with a little audio before and after it), so a chunk's bytes do
 * not depend on which request caused it to be encoded: a seek and a sequential play give the
 * same bytes. Pure: no I/O.
 */

import type { TranscodeBitrate } from '@musicsharer/shared';

export const SAMPLE_RATE = 48_000;
export const SAMPLES_PER_FRAME = 1152;
/** 30 s of audio: 1250 * 1152 / 48000. */
export const CHUNK_FRAMES = 1250;
/** Frames encoded before a chunk's first one and thrown away: the encoder's MDCT and psychoacoustic state settle on real audio, not on silence. */
export const PRE_ROLL_FRAMES = 4;
/** Frames encoded after a chunk's last one: its last frames are encoded with the audio that follows them, not with the flush's zeros. */
export const POST_ROLL_FRAMES = 4;

// The bitrates offered and the default: one list for both sides (shared/src/transcode.ts).
export type Bitrate = TranscodeBitrate;

/** MPEG-1 Layer III bitrate index (ISO 11172-3, table of bitrate_index). */
const BITRATE_INDEX: Record<Bitrate, number> = { 96: 7, 128: 9, 192: 11, 256: 13, 320: 14 };

export interface Layout {
  bitrate: Bitrate;
  frameSize: number;
  frames: number;
  /** Bytes of the whole file: frames * frameSize. */
  size: number;
  chunks: number;
}

export function frameSize(bitrate: Bitrate): number {
  return (144 * bitrate * 1000) / SAMPLE_RATE;
}

/** The layout for a source of `durationSec` seconds: as many frames as cover its duration. */
export function layoutFor(durationSec: number, bitrate: Bitrate): Layout {
  // A duration read as 180.00000000001 must not grow a frame: round to the microsecond first.
  const samples = Math.round(durationSec * 1e6) * SAMPLE_RATE / 1e6;
  const frames = Math.max(1, Math.ceil(samples / SAMPLES_PER_FRAME - 1e-9));
  const size = frames * frameSize(bitrate);
  return { bitrate, frameSize: frameSize(bitrate), frames, size, chunks: Math.ceil(frames / CHUNK_FRAMES) };
}

/** The frames chunk `chunk` holds: [first, first + count). */
export function chunkFrames(layout: Layout, chunk: number): { first: number; count: number } {
  const first = chunk * CHUNK_FRAMES;
  return { first, count: Math.min(CHUNK_FRAMES, layout.frames - first) };
}

/** The chunk a byte offset falls in. */
export function chunkOf(layout: Layout, offset: number): number {
  return Math.floor(offset / layout.frameSize / CHUNK_FRAMES);
}

/** Seconds at the start of frame `frame`: exact in decimal (1152 / 48000 = 0.024). */
export function frameTime(frame: number): string {
  return ((frame * SAMPLES_PER_FRAME * 1000) / SAMPLE_RATE / 1000).toFixed(3);
}

/** What the encoder is asked for to make chunk `chunk`: where it starts, how long, and how many leading frames to drop. */
export function encodeWindow(layout: Layout, chunk: number): { start: string; duration: string; skipFrames: number; keepFrames: number } {
  const { first, count } = chunkFrames(layout, chunk);
  const pre = Math.min(PRE_ROLL_FRAMES, first);
  return { start: frameTime(first - pre), duration: frameTime(pre + count + POST_ROLL_FRAMES), skipFrames: pre, keepFrames: count };
}

/** The 4-byte header every frame of this layout starts with (MPEG-1, Layer III, no CRC, 48 kHz, no padding, joint stereo). */
export function frameHeader(bitrate: Bitrate): Buffer {
  return Buffer.from([0xff, 0xfb, (BITRATE_INDEX[bitrate] << 4) | (0b01 << 2), 0x40]);
}

/**
 * One frame of silence: the header, then side information and main data of zeros (every
 * granule's part2_3_length and global_gain 0: no coded values, all spectra zero). Pads a
 * transcode whose source decodes shorter than its catalog duration.
 */
export function silentFrame(bitrate: Bitrate): Buffer {
  const frame = Buffer.alloc(frameSize(bitrate));
  frameHeader(bitrate).copy(frame, 0);
  return frame;
}

/** True when `frame` starts with this layout's header, ignoring the channel-mode byte (mode extension varies per frame). */
export function isLayoutFrame(frame: Buffer, bitrate: Bitrate): boolean {
  const h = frameHeader(bitrate);
  return frame.length >= 4 && frame[0] === h[0] && frame[1] === h[1] && frame[2] === h[2];
}
