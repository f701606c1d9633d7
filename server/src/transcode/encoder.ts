/**
 * One encoder run: ffmpeg decodes a stretch of the source and encodes it in our MP3 layout
 * (`mp3-layout.ts`) to its stdout; this cuts the output into frames, drops the pre-roll, keeps
 * exactly the chunk's frames and hands them on as they come. Killed when asked (nobody reads any
 * more) or when it has given all the frames wanted (the post-roll is never waited for).
 */
import { spawn } from 'node:child_process';
import { encodeWindow, isLayoutFrame, type Layout } from './mp3-layout.js';

export interface ChunkEncodeOptions {
  ffmpeg: string;
  source: string;
  layout: Layout;
  chunk: number;
  /** Frames in order, several at a time (a whole number of frames). */
  onFrames(frames: Buffer): void;
}

export interface ChunkResult {
  /** Frames handed on (at most the chunk's count; fewer when the source decoded shorter). */
  frames: number;
  /** ffmpeg's last error lines when it failed; undefined when it ended normally. */
  error: string | undefined;
  /** Killed through `stop()`. */
  stopped: boolean;
}

export interface RunningEncoder {
  done: Promise<ChunkResult>;
  stop(): void;
}

/** ffmpeg's arguments for one chunk: seek, decode, resample to 48 kHz stereo, CBR MP3 without reservoir, no tags, no Xing frame. */
export function encoderArgs(source: string, layout: Layout, chunk: number): string[] {
  const window = encodeWindow(layout, chunk);
  return [
    '-nostdin', '-hide_banner', '-v', 'error',
    ...(window.start === '0.000' ? [] : ['-ss', window.start]),
    '-i', source,
    '-t', window.duration,
    '-map', '0:a:0', '-vn', '-sn', '-dn', '-map_metadata', '-1',
    '-ac', '2', '-ar', '48000',
    '-c:a', 'libmp3lame', '-b:a', `${layout.bitrate}k`, '-reservoir', '0',
    '-write_xing', '0', '-id3v2_version', '0', '-write_id3v1', '0',
    // Frames leave in ffmpeg's 32 KiB buffer, not one 576-byte write each: ~23 pipe reads, file
    // writes and wake-ups per chunk instead of ~1,150 (bench/transcode.ts: the server's CPU per
    // hour of audio fell from ~15 s to ~4 s; the first byte comes ~20 ms later).
    '-flush_packets', '0',
    '-f', 'mp3', 'pipe:1',
  ];
}

export function encodeChunk(options: ChunkEncodeOptions): RunningEncoder {
  const { layout, chunk } = options;
  const window = encodeWindow(layout, chunk);
  const frameSize = layout.frameSize;
  const child = spawn(options.ffmpeg, encoderArgs(options.source, layout, chunk), { stdio: ['ignore', 'pipe', 'pipe'] });
  let pending: Buffer = Buffer.alloc(0);
  let skipped = 0;
  let kept = 0;
  let stopped = false;
  let badFrame = false;
  let stderr = '';

  child.stdout.on('data', (data: Buffer) => {
    if (kept >= window.keepFrames || badFrame) return;
    pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
    const whole = Math.floor(pending.length / frameSize);
    let from = 0;
    // Drop the pre-roll.
    const skip = Math.min(window.skipFrames - skipped, whole);
    skipped += skip;
    from += skip * frameSize;
    const take = Math.min(whole - skip, window.keepFrames - kept);
    if (take > 0) {
      const frames = pending.subarray(from, from + take * frameSize);
      // Every frame must be one of ours; anything else (another rate, a padding slot, a tag)
      // would shift every offset after it.
      for (let i = 0; i < take; i++) {
        if (!isLayoutFrame(frames.subarray(i * frameSize, i * frameSize + 4), layout.bitrate)) {
          badFrame = true;
          child.kill('SIGKILL');
          return;
        }
      }
      kept += take;
      options.onFrames(Buffer.from(frames));
      from += take * frameSize;
    }
    pending = pending.subarray(from);
    if (kept >= window.keepFrames) child.kill('SIGKILL');
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-2000);
  });

  const done = new Promise<ChunkResult>((resolve) => {
    let settled = false;
    const finish = (error: string | undefined) => {
      if (settled) return;
      settled = true;
      resolve({ frames: kept, error, stopped });
    };
    child.on('error', (error) => finish(error.message));
    child.on('close', (code, signal) => {
      if (badFrame) finish('the encoder produced a frame outside the expected layout');
      else if (stopped || kept >= window.keepFrames) finish(undefined);
      else if (code !== 0) finish(stderr.trim() || `ffmpeg exited with ${code ?? signal}`);
      else finish(undefined);
    });
  });
  return {
    done,
    stop() {
      stopped = true;
      child.kill('SIGKILL');
    },
  };
}
