/**
 * Transcoding fixtures, made by ffmpeg at test time: a 1-hour Ogg Vorbis whose tone changes
 * every minute (made once and kept in the temp folder across runs: ~10 s to make), and short
 * WMA, WavPack and AIFF files. Plus a Goertzel detector to tell which minute decoded audio
 * comes from, and a count of this process's ffmpeg children.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

export const hasFfmpeg = spawnSync('ffmpeg', ['-hide_banner', '-version']).status === 0;
/** CI installs ffmpeg (and the optional npm package): there, a suite that needs them must not skip. */
export const isCI = /^(1|true)$/i.test(process.env.CI ?? '');

/**
 * Off CI a machine without ffmpeg skips a transcoding suite, loudly; in CI (which installs it) a
 * missing ffmpeg fails the run instead. Returns whether the suite should be skipped.
 */
export function skipWithoutFfmpeg(suite: string): boolean {
  if (hasFfmpeg) return false;
  if (isCI) {
    test(`ffmpeg is installed (CI runs ${suite})`, () => assert.fail('ffmpeg not found on the PATH: apt-get install ffmpeg'));
  } else {
    console.log(`# SKIPPED: ${suite} needs ffmpeg on the PATH (apt-get install ffmpeg)`);
  }
  return true;
}

/** The tone of minute `m` of the hour fixture (Hz). */
export const toneOfMinute = (m: number): number => 200 + 20 * m;
const RATE = 8000;

export interface ToneHourOptions {
  /** A folder under the temporary folder, and the file's name in it (a new name when its content changes). */
  folder: string;
  file: string;
  /** Sample rate and channels of the PCM written to ffmpeg. */
  rate: number;
  channels: 1 | 2;
  /** ffmpeg's output arguments before the file name: codec, quality, tags, container. */
  encoder: string[];
  /** Make it again even when it is there. */
  fresh?: boolean;
}

/**
 * One hour of tones (`toneOfMinute`: the minute a decoded stretch comes from can be told), made
 * by ffmpeg from PCM written here, once per machine: encoding an hour takes seconds to minutes,
 * so the file is kept in the temporary folder across runs (written to a temporary name, then
 * renamed: a run cut short leaves no half file). `made`: whether this call made it.
 */
export async function keptToneHour(options: ToneHourOptions): Promise<{ path: string; made: boolean }> {
  const { rate, channels } = options;
  const dir = join(tmpdir(), options.folder);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, options.file);
  if (options.fresh) rmSync(path, { force: true });
  if (existsSync(path)) return { path, made: false };
  const temp = join(dir, `${process.pid}.tmp.${options.file}`);
  const args = ['-v', 'error', '-y', '-f', 's16le', '-ar', String(rate), '-ac', String(channels), '-i', 'pipe:0', ...options.encoder, temp];
  const child = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'inherit'] });
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  let phase = 0;
  for (let minute = 0; minute < 60; minute++) {
    // Interleaved channels, little-endian like the machine (x86, ARM): the same sample in each.
    const pcm = new Int16Array(60 * rate * channels);
    const step = (2 * Math.PI * toneOfMinute(minute)) / rate;
    for (let i = 0; i < 60 * rate; i++) {
      pcm.fill(Math.round(Math.sin(phase) * 12000), i * channels, (i + 1) * channels);
      phase += step;
    }
    if (!child.stdin.write(Buffer.from(pcm.buffer))) await new Promise((resolve) => child.stdin.once('drain', resolve));
  }
  child.stdin.end();
  if ((await done) !== 0) throw new Error(`ffmpeg could not make ${options.file}`);
  renameSync(temp, path);
  return { path, made: true };
}

/** The 1-hour Ogg Vorbis of the tests (8 kHz mono), made once per machine (~10 s). */
export async function hourOgg(): Promise<string> {
  const { path } = await keptToneHour({ folder: 'musicsharer-test-fixtures', file: 'hour-tones-v1.ogg', rate: RATE, channels: 1, encoder: ['-c:a', 'libvorbis', '-q:a', '0'] });
  return path;
}

/** A short file of `seconds` of a 440 Hz tone (stereo 44.1 kHz) in the container/codec given by ffmpeg arguments. */
export function shortFile(dir: string, name: string, seconds: number, codecArgs: string[]): string {
  const path = join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`, '-ac', '2', ...codecArgs, path]);
  return path;
}

/**
 * An AIFF-C file music-metadata reads (tags aside: its COMM chunk gives 2 channels, 16 bits,
 * 44.1 kHz and `seconds` of frames) but whose compression type ("ZZZZ") no decoder knows:
 * ffmpeg refuses it. The library lists it as a track; asked for as MP3 it is a 415.
 */
export function undecodableAifc(dir: string, name: string, seconds: number): string {
  const frames = Math.round(seconds * 44_100);
  // 44100 as an 80-bit IEEE 754 extended float: exponent 15 (2^15 <= 44100 < 2^16), then the mantissa.
  const rate = Buffer.alloc(10);
  rate.writeUInt16BE(16_383 + 15, 0);
  rate.writeBigUInt64BE(BigInt(44_100) << BigInt(63 - 15), 2);
  const comm = Buffer.concat([Buffer.from([0, 2]), u32(frames), Buffer.from([0, 16]), rate, Buffer.from('ZZZZ'), Buffer.from([4, ...Buffer.from('none'), 0])]);
  const ssnd = Buffer.concat([u32(0), u32(0), Buffer.alloc(frames * 4)]);
  const chunks = Buffer.concat([chunk('FVER', u32(0xa2805140)), chunk('COMM', comm), chunk('SSND', ssnd)]);
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([Buffer.from('FORM'), u32(4 + chunks.length), Buffer.from('AIFC'), chunks]));
  return path;
}

/**
 * A DSF file (Sony's DSD Stream File: "DSD ", "fmt " and "data" chunks, little-endian) of
 * `seconds` of stereo DSD64 silence (the idle pattern 0x69), as no ffmpeg muxer writes one.
 */
export function dsdSilence(dir: string, name: string, seconds: number): string {
  const rate = 2_822_400;
  const blockSize = 4096;
  const samples = rate * seconds;
  const blocksPerChannel = Math.ceil(samples / 8 / blockSize);
  const data = Buffer.alloc(blocksPerChannel * 2 * blockSize, 0x69);
  const fmt = Buffer.alloc(52);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeBigUInt64LE(52n, 4);
  [1, 0, 2, 2, rate, 1].forEach((value, i) => fmt.writeUInt32LE(value, 12 + 4 * i)); // version, DSD raw, stereo, 2 channels, rate, 1 bit
  fmt.writeBigUInt64LE(BigInt(samples), 36);
  fmt.writeUInt32LE(blockSize, 44);
  const dataHeader = Buffer.alloc(12);
  dataHeader.write('data', 0, 'latin1');
  dataHeader.writeBigUInt64LE(BigInt(12 + data.length), 4);
  const dsd = Buffer.alloc(28);
  dsd.write('DSD ', 0, 'latin1');
  dsd.writeBigUInt64LE(28n, 4);
  dsd.writeBigUInt64LE(BigInt(28 + fmt.length + dataHeader.length + data.length), 12);
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([dsd, fmt, dataHeader, data]));
  return path;
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

function chunk(id: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(id), u32(body.length), body, body.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

/** ffprobe's duration of a file, or of bytes given on stdin. */
export function probeDuration(input: string | Buffer): number {
  const args = ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0'];
  const out = typeof input === 'string'
    ? execFileSync('ffprobe', [...args, input])
    : execFileSync('ffprobe', [...args, '-f', 'mp3', '-i', 'pipe:0'], { input });
  return Number(out.toString().trim());
}

/** Decodes MP3 bytes to 8 kHz mono 16-bit PCM samples. */
export function decodeMp3(bytes: Buffer): Int16Array {
  const pcm = execFileSync('ffmpeg', ['-v', 'error', '-f', 'mp3', '-i', 'pipe:0', '-ac', '1', '-ar', String(RATE), '-f', 's16le', 'pipe:1'], { input: bytes, maxBuffer: 256 * 1024 * 1024 });
  return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
}

/** Goertzel power of `frequency` over `samples[from, to)` (8 kHz). */
export function tonePower(samples: Int16Array, frequency: number, from: number, to: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / RATE);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s0 = samples[i]! + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
}

/** The minute (0-59) whose tone dominates `samples` from `fromSec` to `toSec`. */
export function dominantMinute(samples: Int16Array, fromSec: number, toSec: number): number {
  let best = -1;
  let bestPower = -1;
  for (let m = 0; m < 60; m++) {
    const power = tonePower(samples, toneOfMinute(m), Math.round(fromSec * RATE), Math.round(toSec * RATE));
    if (power > bestPower) {
      bestPower = power;
      best = m;
    }
  }
  return best;
}

/** The most ffmpeg children seen at once (sampled every 5 ms) while `work` runs, and its result. */
export async function mostFfmpegWhile<T>(work: Promise<T>): Promise<{ most: number; result: T }> {
  let most = 0;
  const sampler = setInterval(() => (most = Math.max(most, ffmpegChildren())), 5);
  try {
    const result = await work;
    return { most, result };
  } finally {
    clearInterval(sampler);
  }
}

/** ffmpeg processes that are children of this process (Linux /proc). */
export function ffmpegChildren(): number {
  let count = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === process.pid && comm === 'ffmpeg') count++;
    } catch {
      // exited meanwhile
    }
  }
  return count;
}
