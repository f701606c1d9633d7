/**
 * The duration of an Ogg stream (Vorbis, Opus, FLAC, Speex), which music-metadata gives only when
 * it reads every page of the file (`duration: true`: the whole file, for each one a scan meets).
 * The last page's granule position is the stream's total sample count (RFC 3533 §6; for Opus at
 * 48 kHz, minus the encoder's pre-skip, RFC 7845 §4), so the last 64 KiB and the first 4 KiB
 * suffice. `lastGranule` and `opusPreSkip` are pure; `oggDuration` does the two reads.
 */
import { open } from 'node:fs/promises';

/** An Ogg page is at most 65,307 bytes: the last one starts within this many bytes of the end. */
const TAIL_BYTES = 65_536;
const HEAD_BYTES = 4096;
const CAPTURE = Buffer.from('OggS');
const OPUS_HEAD = Buffer.from('OpusHead');

/**
 * The granule position of the last page in `tail` that has one (-1 means no packet ends on the
 * page), or undefined. A page header is "OggS", version 0, a header-type byte, then the 64-bit
 * little-endian granule position.
 */
export function lastGranule(tail: Buffer): bigint | undefined {
  for (let at = tail.lastIndexOf(CAPTURE); at !== -1; at = at === 0 ? -1 : tail.lastIndexOf(CAPTURE, at - 1)) {
    if (at + 14 > tail.length || tail[at + 4] !== 0) continue;
    const granule = tail.readBigInt64LE(at + 6);
    if (granule >= 0n) return granule;
  }
  return undefined;
}

/** Opus's pre-skip (samples at 48 kHz the decoder drops) from the OpusHead packet in `head`. */
export function opusPreSkip(head: Buffer): number | undefined {
  const at = head.indexOf(OPUS_HEAD);
  return at === -1 || at + 12 > head.length ? undefined : head.readUInt16LE(at + 10);
}

/**
 * Seconds of the Ogg file at `path` (`size` bytes), or undefined when its pages say nothing usable.
 * `sampleRate` is the stream's (Opus granules count at 48 kHz whatever the input rate was).
 */
export async function oggDuration(path: string, size: number, codec: string | undefined, sampleRate: number | undefined): Promise<number | undefined> {
  const opus = /opus/i.test(codec ?? '');
  const rate = opus ? 48_000 : sampleRate;
  if (!rate || size <= 0) return undefined;
  const file = await open(path, 'r');
  try {
    const tailLength = Math.min(size, TAIL_BYTES);
    const tail = Buffer.alloc(tailLength);
    await file.read(tail, 0, tailLength, size - tailLength);
    const granule = lastGranule(tail);
    if (granule === undefined) return undefined;
    let samples = Number(granule);
    if (opus) {
      const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
      await file.read(head, 0, head.length, 0);
      samples -= opusPreSkip(head) ?? 0;
    }
    return samples > 0 ? samples / rate : undefined;
  } finally {
    await file.close();
  }
}
