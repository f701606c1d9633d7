/**
 * The client side of the transcoding bench: one GET on a fresh connection, timed from the
 * request to its first body byte, to its first whole MP3 frame header and to its end. The
 * first body byte of a plain ffmpeg pipe is an ID3v2 tag that ffmpeg writes before it has
 * decoded anything, so "first frame" is the fair time to compare with ours (whose byte 0 is
 * already a frame).
 */
import { request, type IncomingHttpHeaders } from 'node:http';

export interface Timed {
  status: number;
  headers: IncomingHttpHeaders;
  /** Milliseconds from sending the request. */
  firstByteMs: number;
  firstFrameMs: number;
  totalMs: number;
  /** Body bytes received (all of them, or up to `stopAfter`). */
  bytes: number;
  /** The first `keep` bytes of the body. */
  body: Buffer;
}

export interface GetOptions {
  range?: string;
  /** Close the connection once this many body bytes arrived (a player that seeks away). */
  stopAfter?: number;
  /** Body bytes to keep for the caller (default 0). */
  keep?: number;
}

/** Where the first MP3 frame starts in `head` (after an ID3v2 tag), or -1 while it is not known yet. */
function firstFrameOffset(head: Buffer): number {
  let at = 0;
  if (head.length < 10) return -1;
  if (head.toString('latin1', 0, 3) === 'ID3') {
    // ID3v2 size: four 7-bit bytes, plus the 10-byte header (ID3v2.4 §3.1).
    at = 10 + ((head[6]! << 21) | (head[7]! << 14) | (head[8]! << 7) | head[9]!);
  }
  if (head.length < at + 4) return -1;
  return head[at] === 0xff && (head[at + 1]! & 0xe0) === 0xe0 ? at : -1;
}

export function timedGet(url: string, options: GetOptions = {}): Promise<Timed> {
  const keep = options.keep ?? 0;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const since = () => performance.now() - started;
    const req = request(url, { agent: false, headers: options.range ? { Range: options.range } : {} }, (res) => {
      let bytes = 0;
      let firstByteMs = NaN;
      let firstFrameMs = NaN;
      // What is needed to find the first frame (a tag is a few hundred bytes) and what the caller keeps.
      const chunks: Buffer[] = [];
      let held = 0;
      const hold = Math.max(keep, 64 * 1024);
      const finish = () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, firstByteMs, firstFrameMs, totalMs: since(), bytes, body: Buffer.concat(chunks).subarray(0, keep) });
      res.on('data', (chunk: Buffer) => {
        if (bytes === 0) firstByteMs = since();
        bytes += chunk.length;
        if (held < hold) {
          chunks.push(chunk);
          held += chunk.length;
        }
        if (Number.isNaN(firstFrameMs) && firstFrameOffset(Buffer.concat(chunks)) !== -1) firstFrameMs = since();
        if (options.stopAfter !== undefined && bytes >= options.stopAfter) {
          res.destroy();
          finish();
        }
      });
      res.on('end', finish);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
