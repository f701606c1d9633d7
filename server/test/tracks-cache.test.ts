/**
 * The list answers (`/api/tracks`, `/api/albums`, `/api/artists`) come from copies made once per
 * library version: the same bytes the schema serializer wrote before, a strong ETag per version
 * and content coding, 304 on If-None-Match, compressed copies that decode to the same JSON.
 * Real sockets on loopback, a real folder that grows by a file. Its MP3s carry a Xing header,
 * so their durations are exact and no background pass changes the library under the tests.
 */
import { AlbumListSchema, ArtistListSchema, TrackListSchema } from '@musicsharer/shared/schemas';
import type { Track, TrackListResponse } from '@musicsharer/shared';
import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { request } from 'undici';
import { PAGE_CACHE_MAX_BYTES, ViewsCache } from '../src/library/views-cache.js';
import { id3v2Tag, vbrStream } from '../synth/index.js';
import { listenOnLoopback } from './fixtures/app.js';

const LISTS = ['/api/tracks', '/api/albums', '/api/artists'] as const;

/** The body as it came on the wire (undici's request does not decode it, unlike fetch). */
async function raw(url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') {
  const response = await request(url, { headers, method });
  return { status: response.statusCode, headers: response.headers, body: Buffer.from(await response.body.arrayBuffer()) };
}

/** A tagged MP3 whose duration needs no counting. */
const mp3 = (title: string, artist: string, album: string, track: number) =>
  Buffer.concat([id3v2Tag({ title, artist, album, track: String(track), year: '2025' }), vbrStream(1)]);

/** 3 artists x 2 albums x 3 tracks. */
async function makeLibrary(root: string): Promise<void> {
  for (let a = 0; a < 6; a++) {
    const artist = `Artist ${a % 3}`;
    const folder = join(root, artist, `Album ${a}`);
    await mkdir(folder, { recursive: true });
    for (let t = 1; t <= 3; t++) await writeFile(join(folder, `${t}.mp3`), mp3(`Song ${t} of ${a}`, artist, `Album ${a}`, t));
  }
}

const decoders: Record<string, (body: Buffer) => Buffer> = { gzip: gunzipSync, br: brotliDecompressSync, deflate: inflateSync };

describe('list answers made once per library version', () => {
  let work: string;
  let root: string;
  let app: FastifyInstance;
  let base: string;
  /** What the routes answered before the copies: the schema serializer over the catalog's lists. */
  let reference: FastifyInstance;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'musicsharer-lists-'));
    root = join(work, 'media');
    await makeLibrary(root);
    ({ app, base } = await listenOnLoopback(root));
    const catalog = app.library.catalog;
    reference = Fastify();
    reference.get('/api/tracks', { schema: { response: { 200: TrackListSchema } } }, async (req) => {
      const { offset, limit } = req.query as { offset?: string; limit?: string };
      const all = catalog.tracks();
      const start = Number(offset ?? 0);
      return { tracks: all.slice(start, limit === undefined ? undefined : start + Number(limit)), total: all.length };
    });
    reference.get('/api/albums', { schema: { response: { 200: AlbumListSchema } } }, async () => ({ albums: catalog.albums() }));
    reference.get('/api/artists', { schema: { response: { 200: ArtistListSchema } } }, async () => ({ artists: catalog.artists() }));
  });
  after(async () => {
    await reference.close();
    await app.close();
    await rm(work, { recursive: true, force: true });
  });

  const expected = async (path: string) => Buffer.from((await reference.inject({ url: path })).rawPayload);

  test('the JSON is byte for byte what the schema serializer writes, whole and paged', async () => {
    for (const path of [...LISTS, '/api/tracks?offset=2&limit=3', '/api/tracks?offset=0&limit=1000', '/api/tracks?offset=50']) {
      const answer = await raw(base + path);
      assert.equal(answer.status, 200, path);
      assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8', path);
      assert.equal(answer.headers['content-encoding'], undefined, path);
      assert.deepEqual(answer.body, await expected(path), path);
    }
    const list = JSON.parse((await raw(`${base}/api/tracks`)).body.toString('utf8')) as TrackListResponse;
    assert.deepEqual(list, { tracks: app.library.catalog.tracks(), total: app.library.catalog.size });
  });

  test('the ETag is strong, stable within a version, and comes with no-cache and Vary', async () => {
    for (const path of LISTS) {
      const first = await raw(base + path);
      const second = await raw(base + path);
      const etag = first.headers.etag;
      assert.ok(typeof etag === 'string' && /^"[!#-~]+"$/.test(etag), `${path}: ${String(etag)}`);
      assert.equal(second.headers.etag, etag, path);
      assert.equal(first.headers['cache-control'], 'no-cache', path);
      assert.match(String(first.headers.vary), /accept-encoding/i, path);
    }
  });

  test('If-None-Match naming the tag (alone, in a list, weak, or *) answers 304 without a body', async () => {
    for (const path of LISTS) {
      for (const coding of ['identity', 'gzip']) {
        const headers = { 'accept-encoding': coding };
        const { headers: fresh } = await raw(base + path, headers);
        const etag = String(fresh.etag);
        for (const condition of [etag, `"nope", ${etag}`, `W/${etag}`, '*']) {
          const answer = await raw(base + path, { ...headers, 'if-none-match': condition });
          assert.equal(answer.status, 304, `${path} ${coding} ${condition}`);
          assert.equal(answer.body.length, 0);
          assert.equal(answer.headers.etag, etag);
          assert.equal(answer.headers['cache-control'], 'no-cache');
          assert.match(String(answer.headers.vary), /accept-encoding/i);
        }
        for (const condition of ['"nope"', `${etag.slice(0, -1)}x"`, 'garbage']) {
          assert.equal((await raw(base + path, { ...headers, 'if-none-match': condition })).status, 200, `${path} ${condition}`);
        }
      }
    }
  });

  test('each coding decodes to the identity JSON and has its own ETag; compressed once', async () => {
    for (const path of LISTS) {
      const identity = await raw(base + path, { 'accept-encoding': 'identity' });
      const tags = new Set([identity.headers.etag]);
      for (const [accept, coding] of [
        ['gzip', 'gzip'],
        ['x-gzip', 'gzip'],
        ['gzip, deflate, br', 'br'],
        ['deflate', 'deflate'],
      ] as const) {
        const answer = await raw(base + path, { 'accept-encoding': accept });
        assert.equal(answer.status, 200);
        assert.equal(answer.headers['content-encoding'], coding, `${path} ${accept}`);
        assert.match(String(answer.headers.vary), /accept-encoding/i);
        assert.equal(Number(answer.headers['content-length']), answer.body.length);
        // Decoded once, it is the JSON itself: nobody compressed the copy again.
        assert.deepEqual(decoders[coding]!(answer.body), identity.body, `${path} ${accept}`);
        tags.add(answer.headers.etag);
        // The tag of one coding does not validate another.
        assert.equal((await raw(base + path, { 'accept-encoding': 'identity', 'if-none-match': String(answer.headers.etag) })).status, 200);
      }
      assert.equal(tags.size, 4, `${path}: ${[...tags].join(' ')}`);
    }
  });

  test('HEAD answers the headers of the GET without a body', async () => {
    const get = await raw(`${base}/api/tracks`, { 'accept-encoding': 'gzip' });
    const head = await raw(`${base}/api/tracks`, { 'accept-encoding': 'gzip' }, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers.etag, get.headers.etag);
    assert.equal(head.headers['content-encoding'], 'gzip');
  });

  test('a file added and scanned changes every list and its ETag; concurrent first requests agree', async () => {
    const before = new Map<string, { etag: string; body: Buffer }>();
    for (const path of [...LISTS, '/api/tracks?offset=1&limit=2']) {
      const answer = await raw(base + path, { 'accept-encoding': 'gzip' });
      before.set(path, { etag: String(answer.headers.etag), body: answer.body });
    }
    await writeFile(join(root, 'Newcomer.mp3'), mp3('Newcomer', 'Fresh Artist', 'Fresh Album', 1));
    await app.library.scan();

    for (const [path, old] of before) {
      // Many first requests of the new version at once, in each coding: all get the same bytes.
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) => raw(base + path, { 'accept-encoding': ['gzip', 'br', 'identity'][i % 3]!, 'if-none-match': old.etag })),
      );
      const reference = await expected(path);
      for (const answer of answers) {
        assert.equal(answer.status, 200, `${path}: the old tag no longer matches`);
        const coding = answer.headers['content-encoding'];
        const json = typeof coding === 'string' ? decoders[coding]!(answer.body) : answer.body;
        assert.deepEqual(json, reference, path);
        assert.notEqual(answer.headers.etag, old.etag);
        assert.equal(answer.headers.etag, answers[answers.indexOf(answer) % 3]!.headers.etag);
      }
      const gzipTag = String(answers[0]!.headers.etag);
      assert.equal((await raw(base + path, { 'accept-encoding': 'gzip', 'if-none-match': gzipTag })).status, 304, path);
    }
    const tracks = JSON.parse((await raw(`${base}/api/tracks`)).body.toString('utf8')) as TrackListResponse;
    assert.ok(tracks.tracks.some((track: Track) => track.title === 'Newcomer'));
    assert.equal(tracks.total, app.library.catalog.size);
  });
});

describe('ViewsCache', () => {
  /** A cache over a version the test turns, and the keys its builds were asked for. */
  const setup = () => {
    const state = { version: 1, built: [] as string[] };
    const cache = new ViewsCache(() => state.version);
    const build = (key: string, bytes = 10) => () => {
      state.built.push(key);
      return JSON.stringify({ key, pad: 'x'.repeat(bytes) });
    };
    return { state, cache, build };
  };

  test('a list is built once per version, with a new tag after a change', () => {
    const { state, cache, build } = setup();
    const first = cache.list('tracks', build('tracks'));
    assert.equal(cache.list('tracks', build('tracks')), first);
    state.version++;
    const second = cache.list('tracks', build('tracks'));
    assert.deepEqual(state.built, ['tracks', 'tracks']);
    assert.notEqual(second.etag('identity'), first.etag('identity'));
    assert.notEqual(second.etag('gzip'), second.etag('identity'));
  });

  test('concurrent requests for a coding share one compression', async () => {
    const { cache, build } = setup();
    const entry = cache.list('albums', build('albums', 5000));
    const [a, b] = [entry.body('br'), entry.body('br')];
    assert.equal(a, b);
    assert.deepEqual(brotliDecompressSync(await a), entry.json);
  });

  test(`pages are kept within PAGE_CACHE_MAX_BYTES (${PAGE_CACHE_MAX_BYTES} bytes), least recently used dropped first`, () => {
    const { state, cache, build } = setup();
    const third = Math.floor(PAGE_CACHE_MAX_BYTES / 3) - 100;
    cache.page('a', build('a', third));
    cache.page('b', build('b', third));
    cache.page('c', build('c', third));
    cache.page('a', build('a', third)); // kept; now the most recently used
    cache.page('d', build('d', third)); // over the bound: b goes
    cache.page('a', build('a', third));
    cache.page('c', build('c', third));
    cache.page('b', build('b', third));
    assert.deepEqual(state.built, ['a', 'b', 'c', 'd', 'b']);
    cache.page('huge', build('huge', PAGE_CACHE_MAX_BYTES));
    cache.page('huge', build('huge', PAGE_CACHE_MAX_BYTES));
    assert.deepEqual(state.built.slice(5), ['huge', 'huge'], 'a page above the bound is never kept');
  });
});
