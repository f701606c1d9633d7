/**
 * The transcoding bench's source: one hour of 44.1 kHz stereo Ogg Vorbis (what a ripped album
 * usually is), a tone that changes every minute, the same tones as the test fixture
 * (`toneOfMinute`), so a decoded answer tells which minute it comes from. Made by ffmpeg from
 * PCM written here, once per machine: encoding an hour of Vorbis takes 75 s of one core (3 min
 * on a busy machine), as long as the rest of the bench, so the file is kept in the temporary
 * folder across runs (BENCH_FRESH_SOURCE=1 makes it again).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toneOfMinute } from '../../server/test/transcode/fixtures.js';

const RATE = 44_100;
const MINUTES = 60;

/** The hour-long Ogg Vorbis, made when missing; `madeInSec`: how long this call took to make it (undefined: it was there). */
export async function hourSource(): Promise<{ path: string; madeInSec: number | undefined }> {
  const dir = join(tmpdir(), 'musicsharer-bench-fixtures');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'hour-tones-44k-stereo-v1.ogg');
  if (process.env.BENCH_FRESH_SOURCE === '1') rmSync(path, { force: true });
  if (existsSync(path)) return { path, madeInSec: undefined };
  const started = performance.now();
  const temp = `${path}.${process.pid}.tmp.ogg`;
  const args = ['-v', 'error', '-y', '-f', 's16le', '-ar', String(RATE), '-ac', '2', '-i', 'pipe:0', '-c:a', 'libvorbis', '-q:a', '3', temp];
  const child = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'inherit'] });
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  let phase = 0;
  for (let minute = 0; minute < MINUTES; minute++) {
    // Interleaved left/right, little-endian like the machine (x86, ARM): the same sample in both.
    const pcm = new Int16Array(60 * RATE * 2);
    const step = (2 * Math.PI * toneOfMinute(minute)) / RATE;
    for (let i = 0; i < 60 * RATE; i++) {
      pcm[2 * i] = pcm[2 * i + 1] = Math.round(Math.sin(phase) * 12000);
      phase += step;
    }
    if (!child.stdin.write(Buffer.from(pcm.buffer))) await new Promise((resolve) => child.stdin.once('drain', resolve));
  }
  child.stdin.end();
  if ((await done) !== 0) throw new Error('ffmpeg could not make the hour-long source');
  renameSync(temp, path);
  return { path, madeInSec: (performance.now() - started) / 1000 };
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
