/**
 * Album covers through the API: embedded pictures, folder images, none; thumbnails made once
 * and cached; caching headers; corrupt and missing covers answer JSON errors, never 500.
 */
import assert from 'node:assert/strict';
import type { AlbumListResponse, TrackListResponse } from '@musicsharer/shared';
import type { FastifyInstance } from 'fastify';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { buildApp } from '../../src/app.js';
import { pickFolderImage } from '../../src/library/folder-image.js';
import { mp3, tempLibrary, waitFor, type TempLibrary } from './helpers.js';

const image = (width: number, height: number, format: 'jpeg' | 'png', colour = '#c03030') =>
  sharp({ create: { width, height, channels: 3, background: colour } })[format]().toBuffer();

describe('pickFolderImage', () => {
  for (const [names, expected] of [
    [[], undefined],
    [['scan.png'], 'scan.png'],
    [['back.jpg', 'Cover.JPG'], 'Cover.JPG'],
    [['front.png', 'folder.jpg'], 'folder.jpg'],
    [['front.png', 'back.jpg'], 'front.png'],
    [['back.jpg', 'inlay.jpg'], undefined],
    [['cover.png', 'cover.jpg'], 'cover.jpg'],
  ] as const) {
    test(`${JSON.stringify(names)} -> ${expected}`, () => assert.equal(pickFolderImage(names), expected));
  }
});

describe('cover art', () => {
  let lib: TempLibrary;
  let app: FastifyInstance;
  let embedded: Buffer;
  const albumIds = new Map<string, string>();
  const cover = (album: string, query = '') => app.inject({ url: `/cover/${albumIds.get(album)}${query}` });

  before(async () => {
    lib = await tempLibrary();
    embedded = await image(600, 400, 'jpeg');
    const put = (folder: string, fields: Parameters<typeof mp3>[0]) => lib.put(`${folder}/1.mp3`, mp3({ title: `${folder} song`, artist: 'Cover Band', album: folder, ...fields }));
    await put('Embedded', { picture: { mime: 'image/jpeg', data: embedded } });
    await put('Folder', {});
    await lib.put('Folder/cover.jpg', await image(300, 300, 'jpeg', '#3030c0'));
    await lib.put('Folder/back.jpg', await image(10, 10, 'jpeg'));
    await put('Single', {});
    await lib.put('Single/scan.png', await image(200, 100, 'png'));
    await put('None', {});
    await put('CorruptEmbedded', { picture: { mime: 'image/jpeg', data: Buffer.from('not a jpeg at all') } });
    await put('CorruptFallback', { picture: { mime: 'image/png', data: Buffer.from('\x89PNG broken') } });
    await lib.put('CorruptFallback/folder.jpg', await image(64, 64, 'jpeg'));
    await put('CorruptFile', {});
    await lib.put('CorruptFile/cover.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    await put('Missing', {});
    await lib.put('Missing/cover.jpg', await image(50, 50, 'jpeg'));

    app = await buildApp({ mediaDir: lib.root, wsEcho: false, allowedOrigins: [], auth: false, clientDir: '/nonexistent', dataDir: lib.dataDir, rescanIntervalSec: 0 });
    await app.ready();
    await app.library.scan();
    for (const album of (app.library.catalog.albums())) albumIds.set(album.title, album.id);
  });
  after(async () => {
    await app.close();
    await lib.cleanup();
  });

  test('coverUrl on albums and tracks: the cover path, or null without a cover', async () => {
    const { albums } = (await app.inject({ url: '/api/albums' })).json() as AlbumListResponse;
    const { tracks } = (await app.inject({ url: '/api/tracks' })).json() as TrackListResponse;
    for (const album of albums) {
      const expected = album.title === 'None' ? null : `/cover/${album.id}`;
      assert.equal(album.coverUrl, expected, album.title);
      const track = tracks.find((t) => t.albumId === album.id)!;
      assert.equal(track.coverUrl, expected, album.title);
    }
  });

  test('the original: the embedded picture as stored', async () => {
    const response = await cover('Embedded');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'image/jpeg');
    assert.deepEqual(response.rawPayload, embedded);
    assert.match(String(response.headers.etag), /^"[\w-]+"$/);
    assert.match(String(response.headers['cache-control']), /public, max-age=\d+/);
  });

  test('folder images: cover.* first, else the only image', async () => {
    const folder = await cover('Folder');
    assert.equal(folder.statusCode, 200);
    assert.deepEqual(await sharp(folder.rawPayload).metadata().then((m) => [m.width, m.height]), [300, 300]);
    const single = await cover('Single');
    assert.equal(single.headers['content-type'], 'image/png');
  });

  test('thumbnails at 96, 256 and 512 px fit the size, never enlarged', async () => {
    for (const [size, expected] of [[96, [96, 64]], [256, [256, 171]], [512, [512, 341]]] as const) {
      const response = await cover('Embedded', `?size=${size}`);
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'image/jpeg');
      const { width, height, format } = await sharp(response.rawPayload).metadata();
      assert.equal(format, 'jpeg');
      assert.deepEqual([width, height], expected, `size ${size}`);
    }
    const small = await cover('Folder', '?size=512');
    assert.deepEqual(await sharp(small.rawPayload).metadata().then((m) => [m.width, m.height]), [300, 300]);
  });

  test('a thumbnail is made once, then served from the disk cache', async () => {
    const first = await cover('Single', '?size=96');
    const folder = join(lib.dataDir, 'covers', albumIds.get('Single')!);
    const cached = (await readdir(folder)).filter((name) => name.endsWith('-96.jpg'));
    assert.equal(cached.length, 1);
    assert.deepEqual(await readFile(join(folder, cached[0]!)), first.rawPayload);
    // Another image in the cache file: served as it is, so the thumbnail is not made again.
    const marker = await image(7, 7, 'jpeg', '#00ff00');
    await writeFile(join(folder, cached[0]!), marker);
    const second = await cover('Single', '?size=96');
    assert.equal(second.statusCode, 200);
    assert.deepEqual(second.rawPayload, marker);
    assert.equal(second.headers.etag, first.headers.etag);
    await writeFile(join(folder, cached[0]!), first.rawPayload);
  });

  test('If-None-Match with the ETag: 304, no body', async () => {
    const { headers } = await cover('Folder', '?size=256');
    const response = await app.inject({ url: `/cover/${albumIds.get('Folder')}?size=256`, headers: { 'if-none-match': String(headers.etag) } });
    assert.equal(response.statusCode, 304);
    assert.equal(response.body, '');
    assert.equal(response.headers.etag, headers.etag);
    assert.match(String(response.headers['cache-control']), /public, max-age=\d+/);
  });

  test('If-None-Match, RFC 9110 §13.1.2: a list, a weak tag and * match; other tags and malformed fields do not', async () => {
    const url = `/cover/${albumIds.get('Folder')}?size=96`;
    const etag = String((await app.inject({ url })).headers.etag);
    const status = async (ifNoneMatch: string) => (await app.inject({ url, headers: { 'if-none-match': ifNoneMatch } })).statusCode;
    for (const field of [`"other", ${etag}`, `${etag},"other"`, `W/${etag}`, `"x", W/${etag}`, '*', ` * `]) {
      assert.equal(await status(field), 304, field);
    }
    for (const field of ['"other"', `W/"other", "${etag.slice(1, -1)}x"`, etag.slice(1, -1), `${etag} garbage`, `w/${etag}`, '']) {
      assert.equal(await status(field), 200, field);
    }
  });

  test('a corrupt embedded picture falls back to the folder image', async () => {
    const response = await cover('CorruptFallback', '?size=96');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(await sharp(response.rawPayload).metadata().then((m) => [m.width, m.height]), [64, 64]);
  });

  test('corrupt covers: 415 JSON, for the original and thumbnails', async () => {
    for (const album of ['CorruptEmbedded', 'CorruptFile']) {
      for (const query of ['', '?size=96']) {
        const response = await cover(album, query);
        assert.equal(response.statusCode, 415, `${album}${query}`);
        assert.match(String(response.headers['content-type']), /application\/json/);
        assert.equal(response.json<{ statusCode: number }>().statusCode, 415);
      }
    }
  });

  test('no cover, unknown album, bad size: JSON errors', async () => {
    const none = await cover('None');
    assert.equal(none.statusCode, 404);
    assert.match(none.json<{ message: string }>().message, /no cover/);
    assert.equal((await app.inject({ url: '/cover/AAAAAAAAAAAAAAAA' })).statusCode, 404);
    for (const bad of ['?size=100', '?size=abc', '?size=-96']) {
      const response = await cover('Embedded', bad);
      assert.equal(response.statusCode, 400, bad);
      assert.match(String(response.headers['content-type']), /application\/json/);
    }
    assert.equal((await app.inject({ url: '/cover/..%2Fetc' })).statusCode, 400);
  });

  test('a cover file deleted: 404 at once, and coverUrl null once the watcher saw it', async () => {
    assert.equal((await cover('Missing', '?size=96')).statusCode, 200);
    await rm(join(lib.root, 'Missing/cover.jpg'));
    assert.equal((await cover('Missing', '?size=96')).statusCode, 404);
    const id = albumIds.get('Missing')!;
    await waitFor('the watcher', () => app.library.catalog.album(id)?.album.coverUrl === null);
  });

  test('a cover added or replaced: new ETag, new thumbnail', async () => {
    const before = await cover('Single', '?size=96');
    await writeFile(join(lib.root, 'Single/scan.png'), await image(120, 120, 'png', '#20a020'));
    const after = await waitFor('a new version', async () => {
      const response = await cover('Single', '?size=96');
      return response.headers.etag !== before.headers.etag ? response : undefined;
    });
    assert.deepEqual(await sharp(after.rawPayload).metadata().then((m) => [m.width, m.height]), [96, 96]);
    // An album without a cover gets one when an image is added.
    await lib.put('None/folder.jpg', await image(40, 40, 'jpeg'));
    await waitFor('the new cover', () => app.library.catalog.album(albumIds.get('None')!)?.album.coverUrl !== null);
    assert.equal((await cover('None')).statusCode, 200);
  });
});
