/**
 * Every format the issue names, through the whole app (buildApp) over a real folder of files made
 * by ffmpeg at test time: the scan lists each with its MIME type and a duration within 0.1 s of
 * ffprobe's (Ogg and Opus included: their length is on the last page); `GET /api/transcoding`
 * says whether MP3 can be had and why not; a share's media transcodes like the library's; a file
 * ffmpeg cannot decode answers 415 and is listed in `GET /api/unplayable`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { transcodedUrl, type Track, type TranscodingStatus } from '@musicsharer/shared';
import { listenWithAuth, type AuthApp } from '../auth/helpers.ts';
import { listenOnLoopback, type ListeningApp } from '../fixtures/app.ts';
import { tempLibrary, type TempLibrary } from '../library/helpers.ts';
import { layoutFor } from '../../src/transcode/mp3-layout.ts';
import { dsdSilence, probeDuration, shortFile, skipWithoutFfmpeg, undecodableAifc } from './fixtures.ts';

const skip = skipWithoutFfmpeg('the library formats suite');

/** File name -> ffmpeg's codec arguments, and the MIME type the library must give it. */
const FORMATS: Record<string, { args: string[]; mimeType: string }> = {
  'vorbis.ogg': { args: ['-c:a', 'libvorbis'], mimeType: 'audio/ogg' },
  'opus.opus': { args: ['-c:a', 'libopus'], mimeType: 'audio/ogg' },
  'wma.wma': { args: ['-c:a', 'wmav2'], mimeType: 'audio/x-ms-wma' },
  'wavpack.wv': { args: ['-c:a', 'wavpack'], mimeType: 'audio/x-wavpack' },
  'aiff.aiff': { args: ['-c:a', 'pcm_s16be'], mimeType: 'audio/aiff' },
  'aif.aif': { args: ['-c:a', 'pcm_s16be', '-f', 'aiff'], mimeType: 'audio/aiff' },
  'alac.m4a': { args: ['-c:a', 'alac'], mimeType: 'audio/mp4' },
  'flac.mka': { args: ['-c:a', 'flac'], mimeType: 'audio/x-matroska' },
};
const MADE_BY_US: Record<string, { mimeType: string }> = { 'dsd.dsf': { mimeType: 'audio/x-dsf' } };
const ALL = { ...FORMATS, ...MADE_BY_US };

describe('formats through the app', { skip }, () => {
  let lib: TempLibrary;
  let server: AuthApp;
  let cookie: string;
  let tracks: Track[];
  const expected = new Map<string, number>();
  const api = async <T>(path: string, init: RequestInit = {}) => {
    const response = await fetch(`${server.base}${path}`, { ...init, headers: { cookie, ...init.headers } });
    return { response, body: (await response.json()) as T };
  };

  before(async () => {
    lib = await tempLibrary();
    let seconds = 7.25;
    for (const [name, { args }] of Object.entries(FORMATS)) {
      const path = shortFile(lib.root, name, seconds, [...args, '-metadata', `title=${name}`]);
      expected.set(name, probeDuration(path));
      seconds += 1.5;
    }
    // No ffmpeg muxer writes DSF: made by our own fixture code.
    dsdSilence(lib.root, 'dsd.dsf', 4);
    expected.set('dsd.dsf', 4);
    undecodableAifc(lib.root, 'mystery.aifc', 5);
    server = await listenWithAuth(lib.root, {}, { dataDir: lib.dataDir });
    cookie = await server.pair();
    tracks = (await api<{ tracks: Track[] }>('/api/tracks')).body.tracks;
  });
  after(async () => {
    await server?.app.close();
    await lib?.cleanup();
  });

  test('the scan lists each format with its MIME type and its duration (Ogg, Opus: from the last page)', () => {
    for (const [name, { mimeType }] of Object.entries(ALL)) {
      const track = tracks.find((t) => t.path === name);
      assert.ok(track, `${name} is not listed`);
      assert.equal(track.mimeType, mimeType, name);
      if (name in FORMATS) assert.equal(track.title, name);
      assert.ok(track.duration !== null && Math.abs(track.duration - expected.get(name)!) < 0.1, `${name}: ${track.duration} vs ${expected.get(name)}`);
    }
    // music-metadata reads its header: a track, until ffmpeg is asked to decode it.
    assert.ok(tracks.some((t) => t.path === 'mystery.aifc'));
  });

  test('GET /api/transcoding: available, the bitrates and the default', async () => {
    const { response, body } = await api<TranscodingStatus>('/api/transcoding');
    assert.equal(response.status, 200);
    assert.deepEqual(body, { available: true, reason: null, bitrates: [96, 128, 192, 256, 320], defaultBitrate: 192 });
    const anonymous = await fetch(`${server.base}/api/transcoding`);
    assert.equal(anonymous.status, 401);
  });

  test('every listed format answers ?format=mp3 with its exact length from the first range', async () => {
    for (const name of Object.keys(ALL)) {
      const track = tracks.find((t) => t.path === name)!;
      const response = await fetch(`${server.base}${transcodedUrl(track.url, 128)}`, { headers: { cookie, range: 'bytes=0-1' } });
      assert.equal(response.status, 206, name);
      assert.equal(response.headers.get('content-range'), `bytes 0-1/${layoutFor(track.duration!, 128).size}`, name);
      await response.arrayBuffer();
    }
  });

  test('a share of a WMA: its page says it can transcode, with codec and bitrate; its media answers ?format=mp3', async () => {
    const wma = tracks.find((t) => t.path === 'wma.wma')!;
    const created = await api<{ id: string }>('/api/shares', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'track', id: wma.id }) });
    assert.equal(created.response.status, 201);
    const page = await (await fetch(`${server.base}/s/${created.body.id}`)).text();
    const data = JSON.parse(/<script type="application\/json" id="share-data">([^<]*)<\/script>/.exec(page)![1]!) as { transcoding: boolean; tracks: { url: string; codec: string | null; bitrate: number | null }[] };
    assert.equal(data.transcoding, true);
    assert.match(data.tracks[0]!.codec ?? '', /Windows Media Audio/);
    assert.ok(data.tracks[0]!.bitrate! > 0);
    // No cookie: the share's own scope.
    const media = await fetch(`${server.base}${transcodedUrl(data.tracks[0]!.url)}`, { headers: { range: 'bytes=0-1' } });
    assert.equal(media.status, 206);
    assert.equal(media.headers.get('content-range'), `bytes 0-1/${layoutFor(wma.duration!, 192).size}`);
    assert.deepEqual([...Buffer.from(await media.arrayBuffer())], [0xff, 0xfb]);
  });

  test('a file ffmpeg cannot decode: 415 JSON, then listed in /api/unplayable with the reason', async () => {
    const mystery = tracks.find((t) => t.path === 'mystery.aifc')!;
    const before = await api<{ files: { path: string }[] }>('/api/unplayable');
    assert.ok(!before.body.files.some((f) => f.path === 'mystery.aifc'));
    const response = await fetch(`${server.base}${transcodedUrl(mystery.url)}`, { headers: { cookie, range: 'bytes=0-1' } });
    assert.equal(response.status, 415);
    assert.equal(((await response.json()) as { statusCode: number }).statusCode, 415);
    const listed = await api<{ files: { path: string; reason: string }[]; total: number }>('/api/unplayable');
    const entry = listed.body.files.find((f) => f.path === 'mystery.aifc');
    assert.ok(entry, 'not listed as unplayable');
    assert.match(entry.reason, /ffmpeg cannot decode/);
  });
});

describe('formats through the app, no ffmpeg', { skip }, () => {
  let lib: TempLibrary;
  let server: ListeningApp;
  before(async () => {
    lib = await tempLibrary();
    shortFile(lib.root, 'wma.wma', 3, ['-c:a', 'wmav2']);
    server = await listenOnLoopback(lib.root, {}, { dataDir: lib.dataDir, ffmpeg: false });
  });
  after(async () => {
    await server?.app.close();
    await lib?.cleanup();
  });

  test('GET /api/transcoding says why not and how to fix it; the track is still listed; its MP3 is a 503', async () => {
    const status = (await (await fetch(`${server.base}/api/transcoding`)).json()) as TranscodingStatus;
    assert.equal(status.available, false);
    assert.match(status.reason ?? '', /ffmpeg/);
    assert.match(status.reason ?? '', /apt install ffmpeg/);
    const { tracks } = (await (await fetch(`${server.base}/api/tracks`)).json()) as { tracks: Track[] };
    assert.equal(tracks.length, 1);
    const response = await fetch(`${server.base}${transcodedUrl(tracks[0]!.url)}`, { headers: { range: 'bytes=0-1' } });
    assert.equal(response.status, 503);
  });
});
