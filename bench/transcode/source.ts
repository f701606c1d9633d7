/**
 * The transcoding bench's source: one hour of 44.1 kHz stereo Ogg Vorbis (what a ripped album
 * usually is), a tone that changes every minute, the same tones as the test fixture
 * (`toneOfMinute`), so a decoded answer tells which minute it comes from. Made by ffmpeg from
 * PCM (`keptToneHour`, the test fixtures' own), once per machine: encoding an hour of Vorbis takes 75 s of one core (3 min
 * on a busy machine), as long as the rest of the bench, so the file is kept in the temporary
 * folder across runs (BENCH_FRESH_SOURCE=1 makes it again).
 */
import { open } from 'node:fs/promises';
import { keptToneHour } from '../../server/test/transcode/fixtures.js';

/** The hour-long Ogg Vorbis, made when missing; `madeInSec`: how long this call took to make it (undefined: it was there). */
export async function hourSource(): Promise<{ path: string; madeInSec: number | undefined }> {
  const started = performance.now();
  const { path, made } = await keptToneHour({
    folder: 'musicsharer-bench-fixtures',
    file: 'hour-tones-44k-stereo-v1.ogg',
    rate: 44_100,
    channels: 2,
    encoder: ['-c:a', 'libvorbis', '-q:a', '3'],
    fresh: process.env.BENCH_FRESH_SOURCE === '1',
  });
  return { path, madeInSec: made ? (performance.now() - started) / 1000 : undefined };
}

/** Reads `path` once, so that both servers find the source in the page cache. */
export async function warmPageCache(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    let position = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
    }
  } finally {
    await file.close();
  }
}
