/**
 * Share links (issue 13) through HTTP on loopback: the owner's API, the public page and its
 * Open Graph tags (parsed with parse5), the media scope, expiry and revocation, downloads (the
 * album ZIP read back with yauzl, an independent reader), visits and the page-load limit.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { cookieOf, listenWithAuth, type AuthApp } from '../auth/helpers.js';
import { mp3, tempLibrary, type TempLibrary } from '../library/helpers.js';

type Element = DefaultTreeAdapterMap['element'];
type Node = DefaultTreeAdapterMap['node'];

function elements(node: Node, out: Element[] = []): Element[] {
  if ('tagName' in node) out.push(node);
  if ('childNodes' in node) for (const child of node.childNodes) elements(child, out);
  if ('content' in node && node.content) elements(node.content as Node, out);
  return out;
}
const attr = (element: Element, name: string) => element.attrs.find((a) => a.name === name)?.value;
const text = (node: Node): string => ('value' in node && node.nodeName === '#text' ? node.value : 'childNodes' in node ? node.childNodes.map(text).join('') : '');

interface ShareAnswer {
  id: string;
  url: string;
  type: string;
  targetId: string;
  title: string;
  expiresAt: string | null;
  download: boolean;
  visits: number;
  createdAt: string;
}

/** Reads a ZIP with yauzl: name -> bytes. */
function unzip(buffer: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (error, zip) => {
      if (error) return reject(error);
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err) return reject(err);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

let lib: TempLibrary;
let server: AuthApp;
let owner: string;
let albumId: string;
let otherAlbumTrackId: string;
const cover = () => sharp({ create: { width: 600, height: 600, channels: 3, background: '#2a6f97' } }).jpeg().toBuffer();

before(async () => {
  lib = await tempLibrary();
  const picture = { mime: 'image/jpeg', data: await cover() };
  for (let i = 1; i <= 3; i++) {
    await lib.put(`Kind of Quiet/${i} Track.mp3`, mp3({ title: `Quiet ${i}`, artist: 'The Hushes', album: 'Kind of Quiet', track: String(i), picture }, 2));
  }
  await lib.put('Elsewhere/secret.mp3', mp3({ title: 'Not Shared', artist: 'Someone Else', album: 'Private Album', track: '1' }));
  server = await listenWithAuth(lib.root, {}, { dataDir: lib.dataDir });
  owner = await server.pair();
  const albums = ((await (await fetch(`${server.base}/api/albums`, { headers: { cookie: owner } })).json()) as { albums: { id: string; title: string }[] }).albums;
  albumId = albums.find((a) => a.title === 'Kind of Quiet')!.id;
  const tracks = ((await (await fetch(`${server.base}/api/tracks`, { headers: { cookie: owner } })).json()) as { tracks: { id: string; title: string }[] }).tracks;
  otherAlbumTrackId = tracks.find((t) => t.title === 'Not Shared')!.id;
});
after(async () => {
  await server?.app.close();
  await lib?.cleanup();
});

const createShare = async (body: Record<string, unknown>, cookie = owner) =>
  fetch(`${server.base}/api/shares`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
const shareOf = async (body: Record<string, unknown>) => {
  const response = await createShare(body);
  assert.equal(response.status, 201);
  return (await response.json()) as ShareAnswer;
};

describe("the owner's API", () => {
  test('create: 201 with the link (128-bit id), 7 days and no download by default', async () => {
    const before = Date.now();
    const share = await shareOf({ type: 'album', id: albumId });
    assert.match(share.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(share.url, `${server.base}/s/${share.id}`);
    assert.equal(share.type, 'album');
    assert.equal(share.targetId, albumId);
    assert.equal(share.title, 'Kind of Quiet');
    assert.equal(share.download, false);
    assert.equal(share.visits, 0);
    const days = (Date.parse(share.expiresAt!) - before) / 86_400_000;
    assert.ok(days > 6.99 && days < 7.01, `${days} days`);
    assert.ok(Math.abs(Date.parse(share.createdAt) - before) < 5000);
  });

  test('bad input: an unknown type or expiry 400, an unknown target 404, no session 401', async () => {
    assert.equal((await createShare({ type: 'song', id: albumId })).status, 400);
    assert.equal((await createShare({ type: 'playlist', id: albumId })).status, 404, 'an album id is not a playlist');
    assert.equal((await createShare({ type: 'album', id: albumId, expiresInDays: 3 })).status, 400);
    assert.equal((await createShare({ type: 'album', id: 'no_such_album' })).status, 404);
    assert.equal((await createShare({ type: 'track', id: albumId })).status, 404, 'an album id is not a track');
    assert.equal((await createShare({ type: 'album', id: '../etc' })).status, 400);
    const anonymous = await fetch(`${server.base}/api/shares`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'album', id: albumId }) });
    assert.equal(anonymous.status, 401);
  });

  test('list, change (expiry, download), revoke', async () => {
    const share = await shareOf({ type: 'album', id: albumId, expiresInDays: 1 });
    const list = async () => ((await (await fetch(`${server.base}/api/shares`, { headers: { cookie: owner } })).json()) as { shares: ShareAnswer[] }).shares;
    assert.equal((await list())[0]!.id, share.id, 'newest first');
    const patch = await fetch(`${server.base}/api/shares/${share.id}`, { method: 'PATCH', headers: { cookie: owner, 'content-type': 'application/json' }, body: JSON.stringify({ expiresInDays: null, download: true }) });
    assert.equal(patch.status, 200);
    const changed = (await patch.json()) as ShareAnswer;
    assert.equal(changed.expiresAt, null);
    assert.equal(changed.download, true);
    const badPatch = await fetch(`${server.base}/api/shares/${share.id}`, { method: 'PATCH', headers: { cookie: owner, 'content-type': 'application/json' }, body: JSON.stringify({ expiresInDays: 2 }) });
    assert.equal(badPatch.status, 400);
    assert.equal((await fetch(`${server.base}/api/shares/${share.id}`, { method: 'DELETE', headers: { cookie: owner } })).status, 204);
    assert.equal((await fetch(`${server.base}/api/shares/${share.id}`, { method: 'DELETE', headers: { cookie: owner } })).status, 404);
    assert.ok(!(await list()).some((s) => s.id === share.id));
  });

  test('a thousand shares: the list stays fast', async () => {
    const store = server.app.shares.store;
    for (let i = 0; i < 1000; i++) await store.create({ type: 'album', targetId: albumId, title: 'Kind of Quiet' }, 7, false);
    const started = performance.now();
    const response = await fetch(`${server.base}/api/shares`, { headers: { cookie: owner } });
    const { shares } = (await response.json()) as { shares: ShareAnswer[] };
    console.log(`# GET /api/shares with ${shares.length} shares: ${(performance.now() - started).toFixed(1)} ms`);
    assert.ok(shares.length >= 1000);
  });
});

describe('the page a friend opens', () => {
  test('no session needed; Open Graph tags, title, the tracks as buttons, nothing else of the library', async () => {
    const share = await shareOf({ type: 'album', id: albumId });
    const response = await fetch(share.url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/html/);
    const html = await response.text();
    const all = elements(parse(html) as unknown as Node);
    const og = new Map(all.filter((e) => e.tagName === 'meta' && attr(e, 'property')).map((e) => [attr(e, 'property')!, attr(e, 'content')!]));
    const named = new Map(all.filter((e) => e.tagName === 'meta' && attr(e, 'name')).map((e) => [attr(e, 'name')!, attr(e, 'content')!]));
    assert.equal(og.get('og:title'), 'Kind of Quiet');
    assert.equal(og.get('og:type'), 'music.album');
    assert.equal(og.get('og:description'), 'The Hushes · 3 tracks · 1 min');
    assert.equal(og.get('og:url'), share.url);
    assert.equal(og.get('og:image'), `${server.base}/s/${share.id}/cover?size=512`);
    assert.equal(og.get('og:image:secure_url'), og.get('og:image'));
    assert.equal(og.get('og:image:width'), '512');
    assert.equal(og.get('og:image:height'), '512');
    assert.equal(named.get('twitter:card'), 'summary_large_image');
    assert.equal(text(all.find((e) => e.tagName === 'title')!), 'Kind of Quiet — The Hushes');
    // og:image serves a JPEG of that size, without a session.
    const image = await fetch(og.get('og:image')!);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 512, 512]);
    const buttons = all.filter((e) => e.tagName === 'button' && attr(e, 'class') === 'share-track');
    const names = buttons.map((b) => text(elements(b).find((e) => attr(e, 'class') === 'share-name')!));
    assert.deepEqual(names, ['Quiet 1', 'Quiet 2', 'Quiet 3']);
    const data = JSON.parse(text(all.find((e) => attr(e, 'id') === 'share-data')!)) as { tracks: { url: string }[]; downloadUrl: string | null };
    assert.equal(data.tracks.length, 3);
    assert.ok(data.tracks.every((t) => t.url.startsWith(`/s/${share.id}/stream/`)));
    assert.equal(data.downloadUrl, null);
    assert.doesNotMatch(html, /Not Shared|Private Album|Someone Else|\/api\//);
  });

  test("a track's page is a music.song with the track's details", async () => {
    const tracks = ((await (await fetch(`${server.base}/api/albums/${albumId}`, { headers: { cookie: owner } })).json()) as { tracks: { id: string }[] }).tracks;
    const share = await shareOf({ type: 'track', id: tracks[1]!.id });
    const html = await (await fetch(share.url)).text();
    assert.match(html, /<meta property="og:type" content="music.song">/);
    assert.match(html, /<meta property="og:title" content="Quiet 2">/);
    assert.match(html, /<meta property="og:description" content="The Hushes · Kind of Quiet · 0:02">/);
  });

  test('titles cannot inject markup', async () => {
    const hostile = '</script><script>alert(1)</script><b>"x"</b>';
    await lib.put('Hostile/1.mp3', mp3({ title: hostile, artist: '<i>who</i>', album: hostile, track: '1' }));
    await server.app.library.scan();
    const albums = ((await (await fetch(`${server.base}/api/albums`, { headers: { cookie: owner } })).json()) as { albums: { id: string; title: string }[] }).albums;
    const share = await shareOf({ type: 'album', id: albums.find((a) => a.title === hostile)!.id });
    const html = await (await fetch(share.url)).text();
    assert.ok(!html.includes('<script>alert(1)'), html);
    assert.ok(!html.includes('<i>who</i>'));
    const scripts = elements(parse(html) as unknown as Node).filter((e) => e.tagName === 'script');
    assert.equal(scripts.filter((s) => !attr(s, 'src')).length, 1, 'only the data block is an inline script');
  });

  test('media stay inside the share: its tracks play with byte ranges, any other track is 404', async () => {
    const share = await shareOf({ type: 'album', id: albumId });
    const { tracks } = (await (await fetch(`${server.base}/api/albums/${albumId}`, { headers: { cookie: owner } })).json()) as { tracks: { id: string }[] };
    const inside = await fetch(`${server.base}/s/${share.id}/stream/${tracks[0]!.id}`, { headers: { range: 'bytes=0-1' } });
    assert.equal(inside.status, 206);
    assert.match(inside.headers.get('content-range')!, /^bytes 0-1\/\d+$/);
    const unsatisfiable = await fetch(`${server.base}/s/${share.id}/stream/${tracks[0]!.id}`, { headers: { range: 'bytes=99999999-' } });
    assert.equal(unsatisfiable.status, 416);
    assert.equal((await fetch(`${server.base}/s/${share.id}/stream/${otherAlbumTrackId}`)).status, 404, 'in the library, not in the share');
    assert.equal((await fetch(`${server.base}/s/${share.id}/stream/nosuchtrack`)).status, 404);
    assert.equal((await fetch(`${server.base}/s/${share.id}/stream/..%2f..%2fetc%2fpasswd`)).status, 400);
    // The share gives no session: the rest of the server stays closed.
    for (const path of ['/api/tracks', `/stream/${tracks[0]!.id}`, `/cover/${albumId}`, '/api/shares']) {
      assert.equal((await fetch(server.base + path)).status, 401, path);
    }
  });

  test('visits count page loads, not media', async () => {
    const share = await shareOf({ type: 'album', id: albumId });
    const { tracks } = (await (await fetch(`${server.base}/api/albums/${albumId}`, { headers: { cookie: owner } })).json()) as { tracks: { id: string }[] };
    await fetch(share.url);
    await fetch(share.url);
    await fetch(`${server.base}/s/${share.id}/stream/${tracks[0]!.id}`, { headers: { range: 'bytes=0-1' } });
    await fetch(`${server.base}/s/${share.id}/cover?size=96`);
    const listed = ((await (await fetch(`${server.base}/api/shares`, { headers: { cookie: owner } })).json()) as { shares: ShareAnswer[] }).shares.find((s) => s.id === share.id)!;
    assert.equal(listed.visits, 2);
  });
});

describe('expired, revoked, unknown', () => {
  test('expired and revoked: 410 for the page and its media; unknown: 404; the same page for all', async () => {
    const { tracks } = (await (await fetch(`${server.base}/api/albums/${albumId}`, { headers: { cookie: owner } })).json()) as { tracks: { id: string }[] };
    const store = server.app.shares.store;
    const expired = (await store.create({ type: 'album', targetId: albumId, title: 'Kind of Quiet' }, 1, true, Date.now() - 2 * 86_400_000))!;
    const revoked = await shareOf({ type: 'album', id: albumId, download: true });
    assert.equal((await fetch(`${server.base}/api/shares/${revoked.id}`, { method: 'DELETE', headers: { cookie: owner } })).status, 204);
    const pages = new Set<string>();
    for (const id of [expired.id, revoked.id]) {
      for (const path of [`/s/${id}`, `/s/${id}/stream/${tracks[0]!.id}`, `/s/${id}/cover?size=512`, `/s/${id}/download`]) {
        const response = await fetch(server.base + path, { headers: { range: 'bytes=0-1' } });
        assert.equal(response.status, 410, path);
        pages.add(await response.text());
      }
    }
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'short', 'x'.repeat(300)]) {
      const response = await fetch(`${server.base}/s/${id}`);
      assert.equal(response.status, 404, id);
      pages.add(await response.text());
    }
    assert.equal(pages.size, 1, 'one page for every case');
    assert.doesNotMatch([...pages][0]!, /Quiet|Hushes/);
  });
});

describe('downloads', () => {
  test('off: 404; a track: the file; an album: a ZIP streamed with every track, named after the album', async () => {
    const off = await shareOf({ type: 'album', id: albumId });
    assert.equal((await fetch(`${server.base}/s/${off.id}/download`)).status, 404);

    const { tracks } = (await (await fetch(`${server.base}/api/albums/${albumId}`, { headers: { cookie: owner } })).json()) as { tracks: { id: string; path: string }[] };
    const trackShare = await shareOf({ type: 'track', id: tracks[0]!.id, download: true });
    const file = await fetch(`${server.base}/s/${trackShare.id}/download`);
    assert.equal(file.status, 200);
    assert.match(file.headers.get('content-disposition')!, /^attachment; filename="1 Track.mp3"; filename\*=UTF-8''1%20Track.mp3$/);
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), await readFile(join(lib.root, tracks[0]!.path)));

    const albumShare = await shareOf({ type: 'album', id: albumId, download: true });
    const zip = await fetch(`${server.base}/s/${albumShare.id}/download`);
    assert.equal(zip.status, 200);
    assert.equal(zip.headers.get('content-type'), 'application/zip');
    assert.match(zip.headers.get('content-disposition')!, /filename="Kind of Quiet.zip"/);
    const body = Buffer.from(await zip.arrayBuffer());
    assert.equal(Number(zip.headers.get('content-length')), body.length, 'the announced length is exact');
    const head = await fetch(`${server.base}/s/${albumShare.id}/download`, { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), String(body.length), 'HEAD: the same fields, no body read');
    const files = await unzip(body);
    assert.deepEqual([...files.keys()], ['Kind of Quiet/1 Track.mp3', 'Kind of Quiet/2 Track.mp3', 'Kind of Quiet/3 Track.mp3']);
    for (const track of tracks) assert.deepEqual(files.get(`Kind of Quiet/${track.path.split('/').pop()}`), await readFile(join(lib.root, track.path)));
  });
});

describe('a playlist (issue 14)', () => {
  test("its page lists the playlist's present tracks (music.playlist); its media and download hold those alone", async () => {
    const api = (path: string, init: RequestInit = {}) => fetch(`${server.base}${path}`, { ...init, headers: { cookie: owner, 'content-type': 'application/json' } });
    const { tracks } = (await (await api(`/api/albums/${albumId}`)).json()) as { tracks: { id: string; path: string }[] };
    const made = await api('/api/playlists', { method: 'POST', body: JSON.stringify({ name: 'Mixed <Tape>', trackIds: [tracks[2]!.id, otherAlbumTrackId, tracks[2]!.id] }) });
    assert.equal(made.status, 201);
    const playlist = (await made.json()) as { id: string };
    const share = await shareOf({ type: 'playlist', id: playlist.id, download: true });
    assert.equal(share.type, 'playlist');
    assert.equal(share.title, 'Mixed <Tape>');

    const html = await (await fetch(`${server.base}/s/${share.id}`)).text();
    assert.match(html, /<meta property="og:type" content="music.playlist">/);
    const all = elements(parse(html) as unknown as Node);
    const data = JSON.parse(text(all.find((e) => attr(e, 'id') === 'share-data')!)) as { type: string; tracks: { id: string; title: string }[] };
    assert.equal(data.type, 'playlist');
    assert.deepEqual(data.tracks.map((t) => t.title), ['Quiet 3', 'Not Shared'], 'in order, each once');
    assert.equal((await fetch(`${server.base}/s/${share.id}/stream/${otherAlbumTrackId}`)).status, 200);
    assert.equal((await fetch(`${server.base}/s/${share.id}/stream/${tracks[0]!.id}`)).status, 404, 'a track not in the playlist');

    const zip = await fetch(`${server.base}/s/${share.id}/download`);
    assert.equal(zip.status, 200);
    assert.match(zip.headers.get('content-disposition')!, /filename="Mixed _Tape_.zip"/);
    assert.deepEqual([...(await unzip(Buffer.from(await zip.arrayBuffer()))).keys()], ['Mixed _Tape_/3 Track.mp3', 'Mixed _Tape_/secret.mp3']);

    // The playlist deleted: the link is gone.
    assert.equal((await fetch(`${server.base}/api/playlists/${playlist.id}`, { method: 'DELETE', headers: { cookie: owner } })).status, 204);
    assert.equal((await fetch(`${server.base}/s/${share.id}`)).status, 410);
  });
});

describe('the page-load limit', () => {
  test('a burst of page loads from one address gets 429; audio ranges are not limited', async () => {
    const share = await shareOf({ type: 'album', id: albumId });
    const { tracks } = (await (await fetch(`${server.base}/api/albums/${albumId}`, { headers: { cookie: owner } })).json()) as { tracks: { id: string }[] };
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await fetch(share.url, { method: 'HEAD' })).status);
    assert.ok(statuses.includes(429), 'a burst is limited');
    assert.equal(statuses[0], 200);
    for (let i = 0; i < 100; i++) {
      const range = await fetch(`${server.base}/s/${share.id}/stream/${tracks[1]!.id}`, { headers: { range: `bytes=${i}-${i + 1}` } });
      assert.equal(range.status, 206);
      await range.arrayBuffer();
    }
    const cookie = cookieOf(await fetch(await server.pairLink(), { redirect: 'manual' }));
    assert.ok(cookie, 'the rest of the server still answers');
  });
});

describe('--public-url', () => {
  test('links and og:url are made with it, and its host name is accepted', async () => {
    const other = await listenWithAuth(lib.root, {}, { publicUrl: 'https://music.example.com' });
    try {
      const cookie = await other.pair();
      const response = await fetch(`${other.base}/api/shares`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'album', id: albumId }) });
      const share = (await response.json()) as ShareAnswer;
      assert.match(share.url, /^https:\/\/music\.example\.com\/s\/[A-Za-z0-9_-]{22}$/);
      // fetch() will not send another Host: node:http will.
      const withHost = (host: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          httpGet(`${other.base}/s/${share.id}`, { headers: { host } }, (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: res.statusCode!, body }));
          }).on('error', reject);
        });
      const page = await withHost('music.example.com');
      assert.equal(page.status, 200, 'its Host is one of ours');
      assert.match(page.body, new RegExp(`<meta property="og:url" content="${share.url}">`));
      assert.equal((await withHost('evil.example.com')).status, 421);
    } finally {
      await other.app.close();
    }
  });
});
