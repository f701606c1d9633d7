/**
 * `GET/HEAD /stream/:id?format=mp3` end to end, over real HTTP, with fixtures made by ffmpeg:
 * the exact length on the first answer, a cold seek to 50:00 of an hour-long Ogg Vorbis (its
 * tone tells the minute), byte-identical bytes whichever way they were encoded and from the
 * cache, one encoder for many requests, idle encoders stopping, 415 and a missing ffmpeg.
 * Skipped, loudly, without ffmpeg (CI installs it).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import streamPlugin from '../../src/plugins/stream.ts';
import { CHUNK_FRAMES, layoutFor } from '../../src/transcode/mp3-layout.ts';
import { transcoding } from '../../src/transcode/transcoding.ts';
import { waitFor } from '../library/helpers.ts';
import { decodeMp3, dominantMinute, ffmpegChildren, hourOgg, mostFfmpegWhile, probeDuration, shortFile, skipWithoutFfmpeg } from './fixtures.ts';

const skip = skipWithoutFfmpeg('the transcoding suite');

interface Track {
  path: string;
  mimeType: string;
  durationSec: number;
}

let root: string;
const tracks = new Map<string, Track>();

async function server(options: { dataDir?: string; ffmpeg?: false; idleMs?: number; maxEncoders?: number; maxBytes?: number } = {}): Promise<{ app: FastifyInstance; origin: string }> {
  const app = Fastify({ logger: process.env.TRANSCODE_TEST_LOG ? { level: 'debug', file: process.env.TRANSCODE_TEST_LOG } : false });
  const transcodes = transcoding({ ffmpeg: options.ffmpeg, dataDir: options.dataDir ?? tempDir(), maxBytes: options.maxBytes ?? 2048 * 1024 * 1024, log: app.log, idleMs: options.idleMs ?? 2000, maxEncoders: options.maxEncoders ?? 2 });
  app.addHook('onClose', () => transcodes.close());
  await app.register(streamPlugin, { root, resolve: (id) => tracks.get(id), transcodes });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  assert.ok(address && typeof address === 'object');
  return { app, origin: `http://127.0.0.1:${address.port}` };
}

async function get(origin: string, id: string, headers: Record<string, string> = {}, query = 'format=mp3', method = 'GET') {
  const res = await fetch(`${origin}/stream/${id}?${query}`, { headers, method });
  const body = Buffer.from(await res.arrayBuffer());
  return { res, body };
}

/** Temporary folders, removed after the suite. */
const temp: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'musicsharer-transcode-test-'));
  temp.push(dir);
  return dir;
};

describe('transcoding', { skip }, () => {

  before(async () => {
    // The hour fixture is kept in the temp folder across runs: the media root is the temp folder.
    root = realpathSync(tmpdir());
    const media = realpathSync(tempDir());
    const hour = await hourOgg();
    // The library would give music-metadata's duration; ffprobe's is the same for these formats.
    tracks.set('hour', { path: hour, mimeType: 'audio/ogg', durationSec: probeDuration(hour) });
    const wma = shortFile(media, 'three.wma', 180, ['-c:a', 'wmav2', '-b:a', '128k']);
    tracks.set('wma', { path: wma, mimeType: 'audio/x-ms-wma', durationSec: probeDuration(wma) });
    const wv = shortFile(media, 'short.wv', 20, ['-c:a', 'wavpack']);
    tracks.set('wv', { path: wv, mimeType: 'audio/x-wavpack', durationSec: probeDuration(wv) });
    const aiff = shortFile(media, 'short.aiff', 12.5, ['-c:a', 'pcm_s16be']);
    tracks.set('aiff', { path: aiff, mimeType: 'audio/aiff', durationSec: probeDuration(aiff) });
    const junk = join(media, 'junk.wma');
    writeFileSync(junk, Buffer.alloc(100_000, 0x5a));
    tracks.set('junk', { path: junk, mimeType: 'audio/x-ms-wma', durationSec: 200 });
  });

  after(() => {
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
  });

  test('the first answer of a cold 1-hour source carries the exact final length (its time: bench/transcode.ts)', async () => {
    const { app, origin } = await server();
    try {
      const layout = layoutFor(tracks.get('hour')!.durationSec, 192);
      assert.equal(layout.size, 150_000 * 576);
      const { res, body } = await get(origin, 'hour', { range: 'bytes=0-1' });
      assert.equal(res.status, 206);
      assert.equal(res.headers.get('content-range'), `bytes 0-1/${layout.size}`);
      assert.equal(res.headers.get('content-type'), 'audio/mpeg');
      assert.match(res.headers.get('etag')!, /^"mp3-192-[A-Za-z0-9_-]+"$/);
      assert.deepEqual([...body], [0xff, 0xfb]);
      const head = await get(origin, 'hour', {}, 'format=mp3', 'HEAD');
      assert.equal(head.res.status, 200);
      assert.equal(head.res.headers.get('content-length'), String(layout.size));
      assert.equal(head.res.headers.get('etag'), res.headers.get('etag'));
    } finally {
      await app.close();
    }
  });

  test('a cold seek to 50:00 answers with the audio of minute 50 (its time: bench/transcode.ts)', async () => {
    const { app, origin } = await server();
    try {
      const offset = (3000 * 48000 / 1152) * 576; // frame 125000
      const { res, body } = await get(origin, 'hour', { range: `bytes=${offset}-${offset + 10 * 24_000 - 1}` });
      assert.equal(res.status, 206);
      const pcm = decodeMp3(body);
      assert.ok(pcm.length > 9 * 8000);
      assert.equal(dominantMinute(pcm, 0.1, 0.9), 50);
      assert.equal(dominantMinute(pcm, 5, 9), 50);
    } finally {
      await app.close();
    }
  });

  test('a cold seek, a sequential transcode and the cache give the same bytes and ETag; the length and duration are exact', async () => {
    const wma = tracks.get('wma')!;
    const layout = layoutFor(wma.durationSec, 128);
    const seekFrame = 4 * CHUNK_FRAMES + 100;
    const start = seekFrame * layout.frameSize;
    const range = `bytes=${start}-${start + 50_000 - 1}`;
    const dataA = tempDir();
    const a = await server({ dataDir: dataA });
    let seek;
    let etag;
    try {
      seek = await get(a.origin, 'wma', { range }, 'format=mp3&bitrate=128');
      assert.equal(seek.res.status, 206);
      etag = seek.res.headers.get('etag')!;
    } finally {
      await a.app.close();
    }
    const b = await server({ dataDir: tempDir() });
    let whole;
    try {
      whole = await get(b.origin, 'wma', {}, 'format=mp3&bitrate=128');
      assert.equal(whole.res.status, 200);
      assert.equal(whole.body.length, layout.size);
      assert.equal(whole.res.headers.get('etag'), etag);
    } finally {
      await b.app.close();
    }
    assert.ok(seek.body.equals(whole.body.subarray(start, start + 50_000)), 'the seek and the sequential transcode differ');
    assert.ok(Math.abs(decodeMp3(whole.body).length / 8000 - wma.durationSec) < 0.1);
    // From A's cache (the seek's chunk and whatever followed), after a restart: the same bytes.
    const again = await server({ dataDir: dataA });
    try {
      const cached = await get(again.origin, 'wma', {}, 'format=mp3&bitrate=128');
      assert.equal(cached.res.headers.get('etag'), etag);
      assert.ok(cached.body.equals(whole.body));
      // Fully cached now: a repeat starts no encoder.
      const repeat = get(again.origin, 'wma', {}, 'format=mp3&bitrate=128');
      await sleep(20);
      assert.equal(ffmpegChildren(), 0);
      assert.ok((await repeat).body.equals(whole.body));
    } finally {
      await again.app.close();
    }
  });

  test('WavPack and AIFF: exact length, the source duration within 0.1 s', async () => {
    const { app, origin } = await server();
    try {
      for (const id of ['wv', 'aiff']) {
        const track = tracks.get(id)!;
        const { res, body } = await get(origin, id);
        assert.equal(res.status, 200);
        assert.equal(body.length, layoutFor(track.durationSec, 192).size, id);
        assert.ok(Math.abs(decodeMp3(body).length / 8000 - track.durationSec) < 0.1, id);
      }
    } finally {
      await app.close();
    }
  });

  test('HTTP rules: 416 with the final length, If-Range, 304, bad queries', async () => {
    const { app, origin } = await server();
    try {
      const size = layoutFor(tracks.get('aiff')!.durationSec, 96).size;
      const first = await get(origin, 'aiff', { range: 'bytes=0-99' }, 'format=mp3&bitrate=96');
      const etag = first.res.headers.get('etag')!;
      const past = await get(origin, 'aiff', { range: `bytes=${size}-` }, 'format=mp3&bitrate=96');
      assert.equal(past.res.status, 416);
      assert.equal(past.res.headers.get('content-range'), `bytes */${size}`);
      const stale = await get(origin, 'aiff', { range: 'bytes=0-99', 'if-range': '"other"' }, 'format=mp3&bitrate=96');
      assert.equal(stale.res.status, 200);
      assert.equal(stale.body.length, size);
      const fresh = await get(origin, 'aiff', { range: 'bytes=100-199', 'if-range': etag }, 'format=mp3&bitrate=96');
      assert.equal(fresh.res.status, 206);
      assert.ok(fresh.body.equals(stale.body.subarray(100, 200)));
      const notModified = await get(origin, 'aiff', { 'if-none-match': etag }, 'format=mp3&bitrate=96');
      assert.equal(notModified.res.status, 304);
      const other = await get(origin, 'aiff', { range: 'bytes=0-99' }, 'format=mp3&bitrate=192');
      assert.notEqual(other.res.headers.get('etag'), etag);
      for (const query of ['format=ogg', 'format=mp3&bitrate=100', 'format=mp3&bitrate=1e2', 'format=mp3&bitrate=128&bitrate=192']) {
        const bad = await get(origin, 'aiff', {}, query);
        assert.equal(bad.res.status, 400, query);
      }
      // The plain route is untouched.
      const plain = await get(origin, 'aiff', { range: 'bytes=0-3' }, '');
      assert.equal(plain.res.headers.get('content-type'), 'audio/aiff');
    } finally {
      await app.close();
    }
  });

  test('200 requests for one cold file start one encoder; an encoder nobody reads from stops', async () => {
    const { app, origin } = await server({ idleMs: 300 });
    try {
      const { most, result: answers } = await mostFfmpegWhile(Promise.all(Array.from({ length: 200 }, () => get(origin, 'hour', { range: 'bytes=1000-1999' }))));
      assert.equal(most, 1);
      for (const { res, body } of answers) {
        assert.equal(res.status, 206);
        assert.ok(body.equals(answers[0]!.body));
      }
      // Nobody reads on: the encoder (which went on with the next chunks) stops.
      await sleep(1500);
      assert.equal(ffmpegChildren(), 0);
    } finally {
      await app.close();
    }
  });

  test('a probe of the first bytes prepares the first chunk only; a player reading on gets the following ones', async () => {
    const dataDir = tempDir();
    const { app, origin } = await server({ dataDir });
    // The chunk map, once saved (after the chunk's encoder has exited and its bytes are on disk).
    const done = (etag: string): number[] => {
      try {
        return (JSON.parse(readFileSync(join(dataDir, 'transcodes', `${etag.slice(1, -1)}.json`), 'utf8')) as { done: number[] }).done;
      } catch {
        return [];
      }
    };
    try {
      const probe = await get(origin, 'hour', { range: 'bytes=0-1' });
      assert.equal(probe.res.status, 206);
      await waitFor('the first chunk', () => done(probe.res.headers.get('etag')!).includes(0) || undefined, 10_000);
      // Time for a chunk after it to start, if one wrongly would (it did: [0, 1, 2] by then).
      await sleep(500);
      assert.equal(ffmpegChildren(), 0);
      assert.deepEqual(done(probe.res.headers.get('etag')!), [0]);
      // A player reads on into the first chunk (its second frame): the next chunks follow.
      await get(origin, 'hour', { range: 'bytes=576-100000' });
      await waitFor('more chunks', () => done(probe.res.headers.get('etag')!).length > 1 || undefined, 10_000);
    } finally {
      await app.close();
    }
  });

  test('at most maxEncoders encoders at once; every request still answered', async () => {
    const { app, origin } = await server({ maxEncoders: 1 });
    try {
      const frame = 576;
      const { most, result: answers } = await mostFfmpegWhile(
        Promise.all([
          get(origin, 'hour', { range: `bytes=${1000 * frame}-${1000 * frame + 9999}` }),
          get(origin, 'hour', { range: `bytes=${100_000 * frame}-${100_000 * frame + 9999}` }),
          get(origin, 'wma', { range: 'bytes=0-9999' }),
          get(origin, 'wv', { range: 'bytes=0-9999' }),
        ]),
      );
      assert.equal(most, 1);
      for (const { res, body } of answers) {
        assert.equal(res.status, 206);
        assert.equal(body.length, 10_000);
      }
    } finally {
      await app.close();
    }
  });

  test('the cache stays within its bound: the least recently played go first, one being played stays', async () => {
    const dataDir = tempDir();
    const size = (id: string) => layoutFor(tracks.get(id)!.durationSec, 192).size;
    // Room for the two short ones and the 3-minute WMA, less one byte.
    const bound = size('aiff') + size('wv') + size('wma') - 1;
    const { app, origin } = await server({ dataDir, maxBytes: bound, idleMs: 100 });
    const cached = () => readdirSync(join(dataDir, 'transcodes')).filter((name) => name.endsWith('.mp3')).length;
    try {
      const aiff = await get(origin, 'aiff');
      await sleep(150);
      await get(origin, 'wv');
      await sleep(150);
      assert.equal(cached(), 2);
      // The WMA's last chunk ends above the bound: the AIFF (played longest ago) goes, the WavPack stays.
      const wma = await get(origin, 'wma');
      assert.equal(wma.body.length, size('wma'));
      // The bound is applied once the last chunk's map is saved, just after its bytes were sent.
      await waitFor('the cache to shrink to two files', () => cached() === 2 || undefined, 10_000);
      const keys = readdirSync(join(dataDir, 'transcodes'));
      assert.ok(keys.some((name) => name === `${wma.res.headers.get('etag')!.slice(1, -1)}.mp3`));
      assert.ok(!keys.some((name) => name === `${aiff.res.headers.get('etag')!.slice(1, -1)}.mp3`), 'the least recently played was kept');
      // Asked for again, it is made again: the same bytes.
      const again = await get(origin, 'aiff');
      assert.ok(again.body.equals(aiff.body));
    } finally {
      await app.close();
    }
  });

  test('a file ffmpeg cannot decode: 415 JSON, no encoder left', async () => {
    const { app, origin } = await server();
    try {
      for (let i = 0; i < 2; i++) {
        const { res, body } = await get(origin, 'junk', { range: 'bytes=0-1' });
        assert.equal(res.status, 415);
        assert.equal(JSON.parse(body.toString()).statusCode, 415);
      }
      assert.equal(ffmpegChildren(), 0);
    } finally {
      await app.close();
    }
  });

  test('no ffmpeg: 503 JSON, and the plain route still plays', async () => {
    const { app, origin } = await server({ ffmpeg: false });
    try {
      const { res, body } = await get(origin, 'wv', { range: 'bytes=0-1' });
      assert.equal(res.status, 503);
      assert.match(JSON.parse(body.toString()).message, /ffmpeg/);
      const plain = await get(origin, 'wv', { range: 'bytes=0-1' }, '');
      assert.equal(plain.res.status, 206);
    } finally {
      await app.close();
    }
  });
});
