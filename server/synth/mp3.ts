/**
 * Builds valid, silent MPEG-1 Layer III streams from scratch. Used for the demo library and
 * for test fixtures: no external encoder, no committed music.
 *
 * A frame is a 4-byte header, side information and main data; all-zero side information
 * decodes as silence in every decoder (ISO/IEC 11172-3 §2.4.1).
 */

/** MPEG-1 Layer III bitrates (kbit/s) by header index (ISO/IEC 11172-3 Table 3-B.2). */
const BITRATES_KBPS = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320] as const;
/** 48 kHz: frame sizes are whole bytes at every bitrate, so no padding slots are needed. */
export const SAMPLE_RATE = 48_000;
export const SAMPLES_PER_FRAME = 1152;
export const FRAME_SECONDS = SAMPLES_PER_FRAME / SAMPLE_RATE; // 0.024 s
/** Mono MPEG-1 side information is 17 bytes. */
const SIDE_INFO_BYTES = 17;

export function frameBytes(kbps: number): number {
  return (144 * kbps * 1000) / SAMPLE_RATE;
}

/** One silent mono frame at the given bitrate. */
export function silentFrame(kbps: number): Buffer {
  const index = BITRATES_KBPS.indexOf(kbps as (typeof BITRATES_KBPS)[number]);
  if (index <= 0) throw new RangeError(`unsupported MPEG-1 Layer III bitrate ${kbps}`);
  const frame = Buffer.alloc(frameBytes(kbps));
  frame[0] = 0xff;
  frame[1] = 0xfb; // sync, MPEG-1, Layer III, no CRC
  frame[2] = (index << 4) | (0b01 << 2); // bitrate index, 48 kHz, no padding
  frame[3] = 0xc0; // single channel
  return frame;
}

/** Number of frames for a duration, rounded up. */
export function framesFor(seconds: number): number {
  return Math.ceil(seconds / FRAME_SECONDS - 1e-9);
}

/** A constant-bitrate silent stream of the given length (no Xing header: size/bitrate gives the duration). */
export function cbrStream(seconds: number, kbps = 32): Buffer {
  const frame = silentFrame(kbps);
  const count = framesFor(seconds);
  const out = Buffer.allocUnsafe(frame.length * count);
  for (let offset = 0; offset < out.length; offset += frame.length) frame.copy(out, offset);
  return out;
}

/**
 * A variable-bitrate silent stream: bitrates alternate through `pattern`, and the first frame
 * carries a Xing header with the frame and byte counts so players know the exact duration.
 */
export function vbrStream(seconds: number, pattern: readonly number[] = [32, 64, 48, 128]): Buffer {
  const count = framesFor(seconds);
  const frames: Buffer[] = [];
  let audioBytes = 0;
  for (let i = 0; i < count; i++) {
    const frame = silentFrame(pattern[i % pattern.length]!);
    frames.push(frame);
    audioBytes += frame.length;
  }
  const xing = silentFrame(128);
  const tagOffset = 4 + SIDE_INFO_BYTES;
  xing.write('Xing', tagOffset, 'latin1');
  xing.writeUInt32BE(0x3, tagOffset + 4); // flags: frame count and byte count present
  xing.writeUInt32BE(count, tagOffset + 8);
  xing.writeUInt32BE(audioBytes + xing.length, tagOffset + 12);
  return Buffer.concat([xing, ...frames]);
}

/**
 * A VBR stream with no Xing/VBRI header: a normal parse can only estimate its duration.
 */
export function vbrStreamWithoutHeader(seconds: number, pattern: readonly number[] = [32, 128, 32, 32]): Buffer {
  const count = framesFor(seconds);
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i++) frames.push(silentFrame(pattern[i % pattern.length]!));
  return Buffer.concat(frames);
}
