/**
 * Covers read with the stream plugin's guards (issue 11, items 5, 6, 8), over real sockets:
 * a cover file or an audio file swapped for a link out of the media folder is never served and
 * never leaves a thumbnail behind; a FIFO swapped in answers at once and jams nothing; a media
 * folder that is away answers 503, never a 415 that sticks.
 *
 * The folder watcher is off, so the catalog still names the swapped files when they are asked
 * for (as it does in the moment before the watcher catches up).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, constants as fsConstants, openSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import sharp from 'sharp';
import libraryPlugin from '../../src/plugins/library.js';
import streamPlugin from '../../src/plugins/stream.js';
import { mp3, tempLibrary, type TempLibrary } from './helpers.js';

const image = (width: number, height: number, colour: string) =>
  sharp({ create: { width, height, channels: 3, background: colour } }).jpeg().toBuffer();
const dimensions = async (data: Uint8Array) => sharp(data).metadata().then((m) => [m.width, m.height]);

interface Server {
  app: FastifyInstance;
  base: string;
  albumId(title: string): string;
}

/** The library and stream plugins on a real port, watcher off, scan done. */
async function serve(lib: TempLibrary): Promise<Server> {
  const app = Fastify();
  await app.register(libraryPlugin, { root: lib.root, dataDir: lib.dataDir, watch: false, rescanIntervalSec: 0, exactDurations: false });
  await app.register(streamPlugin, {
    root: lib.root,
    resolve: (id) => {
      const record = app.library.catalog.getRecord(id);
      return record && { path: record.realPath, mimeType: record.mimeType };
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  await app.library.scan();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const albumId = (title: string) => app.library.catalog.albums().find((a) => a.title === title)!.id;
  return { app, base: `http://127.0.0.1:${port}`, albumId };
}

/** Replaces `path` by a symbolic link to `target`; returns how to put the file back. */
async function swapForLink(path: string, target: string): Promise<() => Promise<void>> {
  const aside = join(dirname(path), `.aside-${Date.now()}`);
  await rename(path, aside);
  await symlink(target, path);
  return async () => {
    await rm(path);
    await rename(aside, path);
  };
}

describe('covers never follow links out of the media folder (item 5)', () => {
  let lib: TempLibrary;
  let server: Server;
  let outside: string;
  const get = (album: string, query = '') => fetch(`${server.base}/cover/${server.albumId(album)}${query}`);

  before(async () => {
    lib = await tempLibrary();
    outside = join(dirname(lib.root), 'outside');
    await mkdir(outside);
    await lib.put('Linked/1.mp3', mp3({ title: 'a', artist: 'Band', album: 'Linked' }));
    await lib.put('Linked/cover.jpg', await image(300, 300, '#c03030'));
    await lib.put('EmbeddedLink/1.mp3', mp3({ title: 'b', artist: 'Band', album: 'EmbeddedLink', picture: { mime: 'image/jpeg', data: await image(200, 100, '#30c030') } }));
    server = await serve(lib);
  });
  after(async () => {
    await server.app.close();
    await lib.cleanup();
  });

  test('a folder image swapped for a link out: 404, and the thumbnail is made anew from the real image', async () => {
    const cover = join(lib.root, 'Linked/cover.jpg');
    // The outside file looks like the real one to a stat that follows links: same size, same times.
    const when = new Date('2024-01-01T00:00:00Z');
    await utimes(cover, when, when);
    const secret = await image(50, 50, '#3030c0');
    const secretBytes = Buffer.concat([secret, Buffer.alloc((await stat(cover)).size - secret.length)]);
    await writeFile(join(outside, 'secret.jpg'), secretBytes);
    await utimes(join(outside, 'secret.jpg'), when, when);
    const restore = await swapForLink(cover, join(outside, 'secret.jpg'));
    let during: { original: Response; body: Buffer; thumbnail: Response };
    try {
      const original = await get('Linked');
      const body = Buffer.from(await original.arrayBuffer());
      const thumbnail = await get('Linked', '?size=96');
      await thumbnail.arrayBuffer();
      during = { original, body, thumbnail };
    } finally {
      await restore();
    }
    // First what stays: a thumbnail made during the swap must not be kept for the real image.
    const thumbnail = await get('Linked', '?size=96');
    assert.equal(thumbnail.status, 200);
    assert.deepEqual(await dimensions(new Uint8Array(await thumbnail.arrayBuffer())), [96, 96], 'made from the real 300x300 image');
    assert.notDeepEqual(during.body, secretBytes, 'the outside file was served');
    assert.equal(during.original.status, 404);
    assert.equal(during.thumbnail.status, 404);
    const original = await get('Linked');
    assert.deepEqual(Buffer.from(await original.arrayBuffer()), await readFile(cover));
  });

  test('an audio file swapped for a link out: no embedded picture from outside', async () => {
    const secretPicture = await image(40, 40, '#ffff00');
    await writeFile(join(outside, 'secret.mp3'), mp3({ title: 'x', picture: { mime: 'image/jpeg', data: secretPicture } }));
    const restore = await swapForLink(join(lib.root, 'EmbeddedLink/1.mp3'), join(outside, 'secret.mp3'));
    try {
      const original = await get('EmbeddedLink');
      const body = Buffer.from(await original.arrayBuffer());
      assert.notDeepEqual(body, secretPicture, 'the outside picture was served');
      assert.equal(original.status, 404);
      const thumbnail = await get('EmbeddedLink', '?size=256');
      await thumbnail.arrayBuffer();
      assert.equal(thumbnail.status, 404);
    } finally {
      await restore();
    }
    const thumbnail = await get('EmbeddedLink', '?size=256');
    assert.equal(thumbnail.status, 200);
    assert.deepEqual(await dimensions(new Uint8Array(await thumbnail.arrayBuffer())), [200, 100]);
  });
  test('an album folder swapped for a link out: 404, not the outside folder\'s image', async () => {
    const fake = join(outside, 'fake-album');
    await mkdir(fake);
    const secret = await image(20, 20, '#00ffff');
    await writeFile(join(fake, 'cover.jpg'), secret);
    const restore = await swapForLink(join(lib.root, 'Linked'), fake);
    try {
      for (const query of ['', '?size=96']) {
        const response = await get('Linked', query);
        const body = Buffer.from(await response.arrayBuffer());
        assert.notDeepEqual(body, secret, 'the outside file was served');
        assert.equal(response.status, 404, `link${query}`);
      }
    } finally {
      await restore();
    }
    assert.equal((await get('Linked', '?size=96')).status, 200);
  });
});

describe('a FIFO swapped in as a cover jams nothing (item 6)', () => {
  let lib: TempLibrary;
  let server: Server;
  const fifos: string[] = [];

  before(async () => {
    lib = await tempLibrary();
    await lib.put('Fifo/1.mp3', mp3({ title: 'a', artist: 'Band', album: 'Fifo' }));
    await lib.put('Fifo/cover.jpg', await image(64, 64, '#c03030'));
    await lib.put('FifoEmbedded/1.mp3', mp3({ title: 'b', artist: 'Band', album: 'FifoEmbedded', picture: { mime: 'image/jpeg', data: await image(64, 64, '#30c030') } }));
    await lib.put('Other/1.mp3', mp3({ title: 'c', artist: 'Band', album: 'Other' }));
    await lib.put('Other/cover.jpg', await image(300, 200, '#3030c0'));
    server = await serve(lib);
  });
  after(async () => {
    // Whatever is still blocked opening a FIFO (without the fix) gets a writer, then EOF.
    for (const fifo of fifos) closeSync(openSync(fifo, fsConstants.O_RDWR | fsConstants.O_NONBLOCK));
    await server.app.close();
    await lib.cleanup();
  });

  test('a quick 404 for each size, then another album\'s stream and cover are answered', { timeout: 30_000 }, async () => {
    for (const file of ['Fifo/cover.jpg', 'FifoEmbedded/1.mp3']) {
      const path = join(lib.root, file);
      await rm(path);
      assert.equal(spawnSync('mkfifo', [path]).status, 0, 'mkfifo');
      fifos.push(path);
    }
    // More requests than the thread pool has threads (4), each a different piece of work.
    const statuses = await Promise.all(
      ['Fifo', 'FifoEmbedded'].flatMap((album) =>
        ['', '?size=96', '?size=256', '?size=512'].map(async (query) => {
          const response = await fetch(`${server.base}/cover/${server.albumId(album)}${query}`);
          await response.arrayBuffer();
          return response.status;
        }),
      ),
    );
    for (const status of statuses) assert.ok(status === 404 || status === 415, `status ${status}`);
    const track = server.app.library.catalog.tracks().find((t) => t.album === 'Other')!;
    const streamed = await fetch(`${server.base}/stream/${track.id}`);
    assert.equal(streamed.status, 200);
    assert.equal((await streamed.arrayBuffer()).byteLength, (await stat(join(lib.root, 'Other/1.mp3'))).size);
    const cover = await fetch(`${server.base}/cover/${server.albumId('Other')}?size=96`);
    assert.equal(cover.status, 200);
    assert.deepEqual(await dimensions(new Uint8Array(await cover.arrayBuffer())), [96, 64]);
  });
});

describe('a cover asked for while the media folder is away (item 8)', () => {
  let lib: TempLibrary;
  let server: Server;
  const get = (album: string, query = '') => fetch(`${server.base}/cover/${server.albumId(album)}${query}`);

  before(async () => {
    lib = await tempLibrary();
    await lib.put('Away/1.mp3', mp3({ title: 'a', artist: 'Band', album: 'Away', picture: { mime: 'image/jpeg', data: await image(120, 60, '#30c030') } }));
    await lib.put('Away/cover.jpg', await image(64, 64, '#c03030'));
    await lib.put('Broken/1.mp3', mp3({ title: 'b', artist: 'Band', album: 'Broken' }));
    await lib.put('Broken/cover.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    server = await serve(lib);
  });
  after(async () => {
    await server.app.close();
    await lib.cleanup();
  });

  test('503 while it is away (not 415), and the cover is served once it is back', async () => {
    const away = `${lib.root}-away`;
    await rename(lib.root, away);
    try {
      for (const query of ['', '?size=96']) {
        const response = await get('Away', query);
        assert.equal(response.status, 503, `away${query}`);
        assert.match(response.headers.get('content-type') ?? '', /application\/json/);
        await response.arrayBuffer();
      }
    } finally {
      await rename(away, lib.root);
    }
    const original = await get('Away');
    assert.equal(original.status, 200);
    assert.deepEqual(await dimensions(new Uint8Array(await original.arrayBuffer())), [120, 60]);
    const thumbnail = await get('Away', '?size=96');
    assert.equal(thumbnail.status, 200);
    assert.deepEqual(await dimensions(new Uint8Array(await thumbnail.arrayBuffer())), [96, 48]);
  });

  test('a corrupt image is 415 until the file changes', async () => {
    const corrupt = await get('Broken', '?size=96');
    assert.equal(corrupt.status, 415);
    await corrupt.arrayBuffer();
    await writeFile(join(lib.root, 'Broken/cover.jpg'), await image(30, 30, '#808080'));
    const fixed = await get('Broken', '?size=96');
    assert.equal(fixed.status, 200);
    assert.deepEqual(await dimensions(new Uint8Array(await fixed.arrayBuffer())), [30, 30]);
  });
});
