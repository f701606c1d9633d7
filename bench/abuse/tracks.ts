/**
 * Item 12 of issue 11: the whole track list of a 10,000-track library, asked for by 8
 * keep-alive clients at once with `Accept-Encoding: gzip` (wrk, 5 s). Target: at least 300
 * requests/s. Also shown: the same clients revalidating with `If-None-Match` (304s), and the
 * server's peak RSS.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { id3v2Tag, vbrStream } from '../../server/synth/index.js';
import { samplePeakRss, type Load } from './common.js';

const WRK = '/usr/bin/wrk';
const ALBUMS = 1_000;
const TRACKS_PER_ALBUM = 10;
const CONNECTIONS = 8;
const SECONDS = 5;
const TARGET = 300;

/**
 * `ALBUMS` x `TRACKS_PER_ALBUM` tagged one-second MP3s, an album's files written at once. Their
 * Xing header makes the scan's durations exact, so no background frame count changes the
 * library (and its list) during the load, as it would for a while after a first scan of files
 * without one.
 */
async function makeLibrary(dir: string): Promise<number> {
  const audio = vbrStream(1);
  for (let a = 0; a < ALBUMS; a++) {
    const folder = join(dir, `Artist ${a % 97}`, `Album ${a}`);
    await mkdir(folder, { recursive: true });
    await Promise.all(
      Array.from({ length: TRACKS_PER_ALBUM }, (_, i) => {
        const tag = id3v2Tag({ title: `Track ${i + 1} of album ${a}`, artist: `Artist ${a % 97}`, album: `Album ${a}`, track: String(i + 1), year: '2024' });
        return writeFile(join(folder, `${String(i + 1).padStart(2, '0')}.mp3`), Buffer.concat([tag, audio]));
      }),
    );
  }
  return ALBUMS * TRACKS_PER_ALBUM;
}

/** requests/s and failed requests (status ≥ 400 or socket errors) of one wrk run. */
async function wrk(url: string, headers: string[]): Promise<{ rate: number; failed: number }> {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--timeout', '10s', ...headers.flatMap((h) => ['-H', h]), url];
  const child = spawn(WRK, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await once(child, 'exit');
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
  if (!Number.isFinite(rate)) throw new Error(`wrk output not understood:\n${output}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)?.slice(1) ?? [];
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  return { rate, failed: non2xx + errors.reduce((sum, n) => sum + Number(n), 0) };
}

export const tracks: Load = {
  name: 'tracks',
  async run({ work, startServer, row }) {
    const media = join(work, 'media-10k');
    const trackCount = await makeLibrary(media);
    const server = await startServer({ media, trackCount });
    const url = `${server.base}/api/tracks`;

    // undici's request, unlike fetch, leaves the body as it came.
    const first = await request(url, { headers: { 'accept-encoding': 'gzip' } });
    const gzipped = Buffer.from(await first.body.arrayBuffer());
    const list = JSON.parse(gunzipSync(gzipped).toString('utf8')) as { total: number };
    if (list.total !== trackCount) throw new Error(`the list has ${list.total} tracks, not ${trackCount}`);
    const identityBytes = (await (await request(url)).body.arrayBuffer()).byteLength;
    const etag = first.headers.etag as string | undefined;

    const peakRss = samplePeakRss(server.pid);
    const whole = await wrk(url, ['Accept-Encoding: gzip']);
    const revalidated = etag ? await wrk(url, ['Accept-Encoding: gzip', `If-None-Match: ${etag}`]) : undefined;
    const peak = peakRss();

    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
    console.log(
      `tracks: ${trackCount} tracks, ${mb(identityBytes)} of JSON, ${mb(gzipped.length)} gzipped, ETag ${etag ?? 'none'}; ` +
        `${whole.rate.toFixed(0)} req/s whole list (gzip, ${whole.failed} failed)` +
        (revalidated ? `, ${revalidated.rate.toFixed(0)} req/s revalidating (${revalidated.failed} failed)` : '') +
        `; server peak RSS ${peak.toFixed(0)} MB`,
    );
    row(
      `${CONNECTIONS} keep-alive clients x GET /api/tracks (${trackCount.toLocaleString('en')} tracks, gzip), ${SECONDS} s`,
      'requests/s',
      `${whole.rate.toFixed(0)}/s${whole.failed ? ` (${whole.failed} failed)` : ''}`,
      `≥ ${TARGET}/s`,
      whole.rate >= TARGET && whole.failed === 0,
    );
    if (revalidated) row('', 'with If-None-Match (304), requests/s', `${revalidated.rate.toFixed(0)}/s`, `≥ ${TARGET}/s`, revalidated.rate >= TARGET && revalidated.failed === 0);
  },
};
