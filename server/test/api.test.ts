import assert from 'node:assert/strict';
import type { AlbumDetailResponse, AlbumListResponse, ArtistDetailResponse, ArtistListResponse, Track, TrackListResponse } from '@musicsharer/shared';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../src/app.js';
import { listenOnLoopback } from './fixtures/app.js';
import { ALBUM, AWKWARD_NAME, createFixtureLibrary, type FixtureLibrary } from './fixtures/library.js';

describe('library API over HTTP', () => {
  let fixture: FixtureLibrary;
  let app: FastifyInstance;
  let base: string;

  before(async () => {
    fixture = await createFixtureLibrary();
    ({ app, base } = await listenOnLoopback(fixture.root));
  });
  after(async () => {
    await app.close();
    await fixture.cleanup();
  });

  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(base + path);
    return { status: response.status, body: (await response.json()) as T };
  };

  test('GET /api/tracks lists every audio track with the public fields', async () => {
    const { status, body } = await get<TrackListResponse>('/api/tracks');
    assert.equal(status, 200);
    assert.equal(body.total, fixture.tracks.length);
    assert.deepEqual(body.tracks.map((t) => t.path).sort(), fixture.tracks.map((t) => t.path).sort());
    for (const expected of fixture.tracks) {
      const track = body.tracks.find((t) => t.path === expected.path)!;
      assert.equal(track.title, expected.title, expected.path);
      assert.equal(track.artist, expected.artist, expected.path);
      assert.equal(track.album, expected.album, expected.path);
      assert.equal(track.trackNo, expected.trackNo, expected.path);
      assert.equal(track.mimeType, expected.mimeType, expected.path);
      assert.ok(track.duration !== null && Math.abs(track.duration - expected.duration) < 0.1, `${expected.path}: ${track.duration}`);
      assert.equal(track.url, `/stream/${track.id}`);
      for (const key of ['id', 'title', 'artist', 'album', 'albumArtist', 'trackNo', 'duration', 'path', 'url', 'mimeType']) {
        assert.ok(key in track, `${key} missing`);
      }
      assert.ok(!('realPath' in track), 'server-only fields must not leak');
    }
  });

  test('corrupt, empty, non-audio files and links out of the folder are not tracks', async () => {
    const { body } = await get<TrackListResponse>('/api/tracks');
    const paths = new Set(body.tracks.map((t) => t.path));
    for (const rejected of fixture.rejected) assert.ok(!paths.has(rejected), rejected);
    assert.ok(!body.tracks.some((t) => t.title === 'Secret'));
  });

  test('the awkward file name keeps its exact path', async () => {
    const { body } = await get<TrackListResponse>('/api/tracks');
    assert.ok(body.tracks.some((t) => t.path === AWKWARD_NAME));
  });

  test('offset and limit page through the tracks', async () => {
    const all = (await get<TrackListResponse>('/api/tracks')).body.tracks;
    const page = await get<TrackListResponse>('/api/tracks?offset=2&limit=3');
    assert.equal(page.status, 200);
    assert.deepEqual(page.body.tracks.map((t) => t.id), all.slice(2, 5).map((t) => t.id));
    assert.equal(page.body.total, all.length);
    for (const bad of ['offset=-1', 'limit=0', 'limit=abc']) {
      const response = await fetch(`${base}/api/tracks?${bad}`);
      assert.equal(response.status, 400, bad);
    }
  });

  test('a track by id; unknown ids are 404 with a JSON body, malformed ids 400', async () => {
    const [first] = (await get<TrackListResponse>('/api/tracks')).body.tracks as [Track];
    assert.deepEqual((await get<Track>(`/api/tracks/${first.id}`)).body, first);
    const missing = await get<{ statusCode: number; message: string }>('/api/tracks/AAAAAAAAAAAAAAAA');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.statusCode, 404);
    assert.match(missing.body.message, /not found/);
    const malformed = await fetch(`${base}/api/tracks/${encodeURIComponent('../etc')}`);
    assert.equal(malformed.status, 400);
  });

  test('albums list their tracks in disc/track order', async () => {
    const { body } = await get<AlbumListResponse>('/api/albums');
    const album = body.albums.find((a) => a.title === ALBUM.title);
    assert.ok(album);
    assert.equal(album.artist, ALBUM.artist);
    assert.equal(album.trackCount, 3);
    assert.equal(album.year, Number(ALBUM.year));
    const detail = await get<AlbumDetailResponse>(`/api/albums/${album.id}`);
    assert.equal(detail.status, 200);
    assert.deepEqual(detail.body.tracks.map((t) => t.title), ['First Silence', 'Second Silence', 'Third Silence']);
    assert.equal((await fetch(`${base}/api/albums/nope`)).status, 404);
  });

  test('untagged tracks group under their folder', async () => {
    const { body } = await get<AlbumListResponse>('/api/albums');
    assert.ok(body.albums.some((a) => a.title === 'Loose' && a.artist === 'Unknown Artist'));
  });

  test('artists with their albums', async () => {
    const { body } = await get<ArtistListResponse>('/api/artists');
    const artist = body.artists.find((a) => a.name === ALBUM.artist);
    assert.ok(artist);
    assert.equal(artist.trackCount, 3);
    const detail = await get<ArtistDetailResponse>(`/api/artists/${artist.id}`);
    assert.deepEqual(detail.body.albums.map((a) => a.title), [ALBUM.title]);
    assert.equal((await fetch(`${base}/api/artists/nope`)).status, 404);
  });

  test('API answers are compressed for clients that accept it; audio never is', async () => {
    const { request } = await import('undici');
    const list = await request(`${base}/api/tracks`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(list.headers['content-encoding'], 'gzip');
    const { gunzipSync } = await import('node:zlib');
    const body = JSON.parse(gunzipSync(Buffer.from(await list.body.arrayBuffer())).toString('utf8')) as TrackListResponse;
    assert.equal(body.total, fixture.tracks.length);
    const hour = body.tracks.find((t) => t.path === 'Long/hour.mp3')!;
    const audio = await request(base + hour.url, { headers: { 'accept-encoding': 'gzip, deflate, br', range: 'bytes=0-99999' } });
    assert.equal(audio.statusCode, 206);
    assert.equal(audio.headers['content-encoding'], undefined);
    assert.equal((await audio.body.arrayBuffer()).byteLength, 100000);
  });

  test('unknown API paths are 404 JSON', async () => {
    const response = await fetch(`${base}/api/nothing-here`);
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  });

  test('track ids are stable across restarts', async () => {
    const before = (await get<TrackListResponse>('/api/tracks')).body.tracks.map((t) => [t.path, t.id]).sort();
    const again = await buildApp({ mediaDir: fixture.root, wsEcho: false, allowedOrigins: [], auth: false, clientDir: '/nonexistent' });
    await again.ready();
    await again.library.scan();
    const response = await again.inject({ url: '/api/tracks' });
    await again.close();
    const after = (response.json() as TrackListResponse).tracks.map((t) => [t.path, t.id]).sort();
    assert.deepEqual(after, before);
  });
});

describe('ids of any length, with the built client served', () => {
  let fixture: FixtureLibrary;
  let app: FastifyInstance;
  let base: string;
  let clientDir: string;

  before(async () => {
    fixture = await createFixtureLibrary();
    // A stand-in for client/dist: @fastify/static then serves `/*`, the wildcard a route whose
    // parameter is too long for the router would fall through to.
    clientDir = mkdtempSync(join(tmpdir(), 'musicsharer-client-'));
    writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>musicsharer</title>');
    app = await buildApp({ mediaDir: fixture.root, wsEcho: false, allowedOrigins: [], auth: false, clientDir });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    assert.ok(address && typeof address === 'object');
    base = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    await app.close();
    await fixture.cleanup();
    rmSync(clientDir, { recursive: true, force: true });
  });

  for (const path of ['/api/tracks/', '/api/albums/', '/api/artists/', '/stream/', '/cover/']) {
    test(`${path}<5,000 characters> is a 400 from the route's schema`, async () => {
      const response = await fetch(`${base}${path}${'x'.repeat(5000)}`);
      assert.equal(response.status, 400);
      const body = (await response.json()) as { statusCode: number };
      assert.equal(body.statusCode, 400);
    });
  }
});
