/**
 * The playlists API (issue 14) through HTTP on loopback, with access control on: make, list,
 * read with an ETag, replace with If-Match (412 stale, 428 none), delete, the bounds (400 names,
 * 400 naming unknown ids, 413, 409), missing tracks that come back, the .m3u8 export, library
 * files read-only, playlists kept across a restart, and the `playlists` message reaching
 * another device's socket.
 */
import assert from 'node:assert/strict';
import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { MAX_PLAYLIST_TRACKS, MAX_PLAYLISTS, type Playlist, type PlaylistDetailResponse, type PlaylistListResponse } from '@musicsharer/shared';
import { listenWithAuth, type AuthApp } from '../auth/helpers.js';
import { mp3, tempLibrary, waitFor, type TempLibrary } from '../library/helpers.js';

let lib: TempLibrary;
let server: AuthApp;
let cookie: string;
/** Track ids by title. */
const ids: Record<string, string> = {};
/** Track durations by title (MP3 frames make them a little over the seconds asked for). */
const secs: Record<string, number> = {};
const sum = (...titles: string[]) => titles.reduce((total, title) => total + secs[title]!, 0);

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.base}${path}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, headers: response.headers, text, json: type.includes('json') && text ? (JSON.parse(text) as unknown) : undefined };
}
const create = async (name: string, trackIds?: string[]) => {
  const answer = await api('POST', '/api/playlists', { name, ...(trackIds ? { trackIds } : {}) });
  assert.equal(answer.status, 201, answer.text);
  return { playlist: answer.json as Playlist, etag: answer.headers.get('etag')! };
};
const detail = async (id: string) => {
  const answer = await api('GET', `/api/playlists/${id}`);
  assert.equal(answer.status, 200, answer.text);
  return { ...(answer.json as PlaylistDetailResponse), etag: answer.headers.get('etag')! };
};

before(async () => {
  lib = await tempLibrary();
  await lib.put('One/a.mp3', mp3({ title: 'Alpha', artist: 'First', album: 'One', track: '1' }, 2));
  await lib.put('One/b.mp3', mp3({ title: 'Beta', artist: 'First', album: 'One', track: '2' }, 3));
  await lib.put('Two/c.mp3', mp3({ title: 'Gamma', artist: 'Second', album: 'Two', track: '1' }, 4));
  await lib.put('#Hash/d.mp3', mp3({ title: 'Delta', album: 'Hash' }, 1));
  await lib.put('Lists/mine.m3u8', '#EXTM3U\n#EXTINF:2,First - Alpha\n../One/a.mp3\n#EXTINF:9,Nobody - Gone\n../Nowhere/x.mp3\n');
  server = await listenWithAuth(lib.root, {}, { dataDir: lib.dataDir });
  cookie = await server.pair();
  const { tracks } = (await api('GET', '/api/tracks')).json as { tracks: { id: string; title: string; duration: number }[] };
  for (const track of tracks) {
    ids[track.title] = track.id;
    secs[track.title] = track.duration;
  }
  assert.equal(Object.keys(ids).length, 4);
});
after(async () => {
  await server?.app.close();
  await lib?.cleanup();
});

describe('making, reading, changing, deleting', () => {
  test('POST: 201 with the playlist, its ETag and Location; GET lists it; GET :id has the tracks in order', async () => {
    const { playlist, etag } = await create('  Road trip  ', [ids.Gamma!, ids.Alpha!, ids.Gamma!]);
    assert.match(playlist.id, /^[A-Za-z0-9_-]{16}$/);
    assert.equal(playlist.name, 'Road trip', 'trimmed');
    assert.equal(playlist.trackCount, 3);
    assert.equal(playlist.duration, sum('Gamma', 'Alpha', 'Gamma'));
    assert.equal(playlist.readOnly, false);
    assert.equal(playlist.path, null);
    assert.ok(Math.abs(Date.parse(playlist.updatedAt) - Date.now()) < 5000);
    assert.match(etag, /^"[^"]+"$/, 'a strong ETag');

    const list = (await api('GET', '/api/playlists')).json as PlaylistListResponse;
    assert.ok(list.playlists.some((p) => p.id === playlist.id && p.name === 'Road trip'));
    const read = await detail(playlist.id);
    assert.equal(read.etag, etag);
    assert.deepEqual(read.playlist, playlist);
    assert.deepEqual(read.tracks.map((t) => [t.id, t.track?.title, t.title, t.artist]), [
      [ids.Gamma, 'Gamma', 'Gamma', 'Second'],
      [ids.Alpha, 'Alpha', 'Alpha', 'First'],
      [ids.Gamma, 'Gamma', 'Gamma', 'Second'],
    ]);
    assert.equal(read.tracks[0]!.track!.url, `/stream/${ids.Gamma}`);
    const empty = await create('Empty');
    assert.equal(empty.playlist.trackCount, 0);
  });

  test('PUT with the ETag replaces it (new ETag); a stale If-Match is 412, none is 428, and nothing changes', async () => {
    const { playlist, etag } = await create('Edited', [ids.Alpha!, ids.Beta!]);
    const put = (headers: Record<string, string>, body = { name: 'Edited again', trackIds: [ids.Beta!, ids.Alpha!, ids.Gamma!] }) =>
      api('PUT', `/api/playlists/${playlist.id}`, body, headers);

    const missing = await put({});
    assert.equal(missing.status, 428, missing.text);
    const first = await put({ 'if-match': etag });
    assert.equal(first.status, 200, first.text);
    const changed = first.json as PlaylistDetailResponse;
    assert.equal(changed.playlist.name, 'Edited again');
    assert.deepEqual(changed.tracks.map((t) => t.id), [ids.Beta, ids.Alpha, ids.Gamma]);
    const newTag = first.headers.get('etag')!;
    assert.notEqual(newTag, etag);

    // Another phone still holds the first version.
    const stale = await put({ 'if-match': etag }, { name: 'Lost update', trackIds: [] });
    assert.equal(stale.status, 412, stale.text);
    assert.equal(stale.headers.get('etag'), newTag, 'the current version is named');
    assert.equal((await put({ 'if-match': 'W/' + newTag })).status, 412, 'a weak tag never matches If-Match');
    assert.equal((await put({ 'if-match': 'garbage' })).status, 412);
    const now = await detail(playlist.id);
    assert.equal(now.playlist.name, 'Edited again');
    assert.equal(now.etag, newTag);
    assert.equal((await put({ 'if-match': `"other", ${newTag}` }, { name: 'Listed', trackIds: [] })).status, 200, 'one of a list matches');
  });

  test('DELETE: 204, then 404; a stale If-Match on DELETE is 412', async () => {
    const { playlist, etag } = await create('Doomed', [ids.Alpha!]);
    await api('PUT', `/api/playlists/${playlist.id}`, { name: 'Doomed 2', trackIds: [] }, { 'if-match': etag });
    assert.equal((await api('DELETE', `/api/playlists/${playlist.id}`, undefined, { 'if-match': etag })).status, 412);
    assert.equal((await api('DELETE', `/api/playlists/${playlist.id}`)).status, 204);
    assert.equal((await api('GET', `/api/playlists/${playlist.id}`)).status, 404);
    assert.equal((await api('DELETE', `/api/playlists/${playlist.id}`)).status, 404);
    assert.equal((await api('GET', `/api/playlists/${playlist.id}/m3u8`)).status, 404);
    const list = (await api('GET', '/api/playlists')).json as PlaylistListResponse;
    assert.ok(!list.playlists.some((p) => p.id === playlist.id));
  });
});

describe('bad input', () => {
  test('a name empty after trimming, or over 200 characters: 400; 200 (astral) characters are fine', async () => {
    for (const name of ['', '   ', '\n\t', 'x'.repeat(201), '🎵'.repeat(201)]) {
      const answer = await api('POST', '/api/playlists', { name });
      assert.equal(answer.status, 400, `${JSON.stringify(name.slice(0, 10))}: ${answer.text}`);
      assert.match((answer.json as { message: string }).message, /name/);
    }
    assert.equal((await api('POST', '/api/playlists', { name: '🎵'.repeat(200) })).status, 201);
    assert.equal((await create(`  ${'y'.repeat(200)}  `)).playlist.name.length, 200);
    assert.equal((await create('two\nlines')).playlist.name, 'two lines');
    assert.equal((await api('POST', '/api/playlists', { trackIds: [] })).status, 400, 'no name');
    assert.equal((await api('POST', '/api/playlists', { name: 'x', trackIds: ['bad id!'] })).status, 400, 'an id of another shape');
  });

  test('unknown track ids: 400 listing them', async () => {
    const answer = await api('POST', '/api/playlists', { name: 'Ghosts', trackIds: [ids.Alpha, 'nosuchtrack1', ids.Beta, 'nosuchtrack2', 'nosuchtrack1'] });
    assert.equal(answer.status, 400);
    const body = answer.json as { message: string; unknownTrackIds: string[] };
    assert.deepEqual(body.unknownTrackIds, ['nosuchtrack1', 'nosuchtrack2']);
    assert.match(body.message, /nosuchtrack1, nosuchtrack2/);
    const { playlist, etag } = await create('Real', [ids.Alpha!]);
    const put = await api('PUT', `/api/playlists/${playlist.id}`, { name: 'Real', trackIds: [ids.Alpha, 'ghost'] }, { 'if-match': etag });
    assert.equal(put.status, 400);
    assert.deepEqual((put.json as { unknownTrackIds: string[] }).unknownTrackIds, ['ghost']);
  });

  test(`more than ${MAX_PLAYLIST_TRACKS} tracks: 413; exactly that many: fine`, async () => {
    const many = Array.from({ length: MAX_PLAYLIST_TRACKS + 1 }, (_, i) => [ids.Alpha!, ids.Beta!][i % 2]!);
    const answer = await api('POST', '/api/playlists', { name: 'Too long', trackIds: many });
    assert.equal(answer.status, 413, answer.text);
    const { playlist, etag } = await create('Just right', many.slice(1));
    assert.equal(playlist.trackCount, MAX_PLAYLIST_TRACKS);
    const put = await api('PUT', `/api/playlists/${playlist.id}`, { name: 'x', trackIds: many }, { 'if-match': etag });
    assert.equal(put.status, 413);
  });

  test('no session: 401; a library file: PUT and DELETE 405 with Allow', async () => {
    const answer = await fetch(`${server.base}/api/playlists`);
    assert.equal(answer.status, 401);
    const file = ((await api('GET', '/api/playlists')).json as PlaylistListResponse).playlists.find((p) => p.readOnly)!;
    const read = await detail(file.id);
    const put = await api('PUT', `/api/playlists/${file.id}`, { name: 'Mine now', trackIds: [] }, { 'if-match': read.etag });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, HEAD');
    assert.match((put.json as { message: string }).message, /save it as your own playlist/);
    assert.equal((await api('DELETE', `/api/playlists/${file.id}`)).status, 405);
    assert.equal((await detail(file.id)).playlist.name, 'mine');
  });
});

describe('tracks leaving and coming back; the export; the library files', () => {
  test('a track whose file goes stays as missing (its last title), and comes back with the file', async () => {
    const { playlist } = await create('Comeback', [ids.Alpha!, ids.Gamma!, ids.Beta!]);
    await rename(join(lib.root, 'Two'), join(lib.root, '..', 'Two-away'));
    await server.app.library.scan();
    let read = await detail(playlist.id);
    assert.deepEqual(read.tracks.map((t) => [t.id, t.track === null, t.title, t.artist]), [
      [ids.Alpha, false, 'Alpha', 'First'],
      [ids.Gamma, true, 'Gamma', 'Second'],
      [ids.Beta, false, 'Beta', 'First'],
    ]);
    assert.equal(read.playlist.trackCount, 3);
    assert.equal(read.playlist.duration, sum('Alpha', 'Beta'), 'missing tracks count no time');

    // Reordered and renamed while it is missing: the missing track keeps its place (not an unknown id).
    const put = await api('PUT', `/api/playlists/${playlist.id}`, { name: 'Comeback', trackIds: [ids.Gamma!, ids.Beta!] }, { 'if-match': read.etag });
    assert.equal(put.status, 200, put.text);
    assert.equal((put.json as PlaylistDetailResponse).tracks[0]!.title, 'Gamma', 'still known by its title');
    // But a new playlist cannot name it.
    assert.equal((await api('POST', '/api/playlists', { name: 'x', trackIds: [ids.Gamma] })).status, 400);

    await rename(join(lib.root, '..', 'Two-away'), join(lib.root, 'Two'));
    await server.app.library.scan();
    read = await detail(playlist.id);
    assert.deepEqual(read.tracks.map((t) => [t.id, t.track?.title]), [
      [ids.Gamma, 'Gamma'],
      [ids.Beta, 'Beta'],
    ]);
    assert.equal(read.playlist.duration, sum('Gamma', 'Beta'));
  });

  test('GET :id/m3u8: #EXTM3U, #EXTINF, paths relative to the media folder, a file name', async () => {
    const { playlist } = await create('Export: "me"/you', [ids.Beta!, ids.Delta!, ids.Alpha!]);
    const answer = await api('GET', `/api/playlists/${playlist.id}/m3u8`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'audio/x-mpegurl; charset=utf-8');
    assert.match(answer.headers.get('content-disposition')!, /^attachment; filename="Export_ _me__you\.m3u8"; filename\*=UTF-8''Export_%20_me__you\.m3u8$/);
    assert.equal(
      answer.text,
      ['#EXTM3U', '#PLAYLIST:Export: "me"/you', '#EXTINF:3,First - Beta', 'One/b.mp3', '#EXTINF:1,Delta', './#Hash/d.mp3', '#EXTINF:2,First - Alpha', 'One/a.mp3', ''].join('\n'),
    );
  });

  test('a playlist file in the library: read-only, its path, present and missing entries, its export', async () => {
    const list = (await api('GET', '/api/playlists')).json as PlaylistListResponse;
    const file = list.playlists.find((p) => p.path === 'Lists/mine.m3u8');
    assert.ok(file, JSON.stringify(list));
    assert.equal(file.readOnly, true);
    assert.equal(file.name, 'mine');
    assert.equal(file.trackCount, 2);
    assert.equal(file.duration, sum('Alpha'));
    assert.equal(list.playlists.at(-1)!.id, file.id, "after the user's own");
    const read = await detail(file.id);
    assert.deepEqual(read.tracks.map((t) => [t.track?.title ?? null, t.title, t.artist]), [
      ['Alpha', 'Alpha', 'First'],
      [null, 'Gone', 'Nobody'],
    ]);
    const m3u8 = await api('GET', `/api/playlists/${file.id}/m3u8`);
    assert.equal(m3u8.text, '#EXTM3U\n#PLAYLIST:mine\n#EXTINF:2,First - Alpha\nOne/a.mp3\n#EXTINF:-1,Nobody - Gone\nNowhere/x.mp3\n');
    // "Save as my playlist": a POST with the present tracks.
    const copy = await create('mine (copy)', read.tracks.filter((t) => t.track).map((t) => t.id));
    assert.equal(copy.playlist.readOnly, false);
    assert.equal(copy.playlist.trackCount, 1);
  });
});

describe('kept, bounded, told', () => {
  test('one file per playlist in the data folder; a restart lists the same playlists, versions and ETags', async () => {
    const { playlist, etag } = await create('Survivor', [ids.Beta!, ids.Alpha!]);
    const files = await readdir(join(lib.dataDir, 'playlists'));
    assert.ok(files.includes(`${playlist.id}.json`));
    const before = (await api('GET', '/api/playlists')).json as PlaylistListResponse;
    await server.app.close();
    server = await listenWithAuth(lib.root, {}, { dataDir: lib.dataDir });
    cookie = await server.pair();
    const afterRestart = (await api('GET', '/api/playlists')).json as PlaylistListResponse;
    assert.deepEqual(afterRestart.playlists, before.playlists);
    const read = await detail(playlist.id);
    assert.equal(read.etag, etag);
    assert.deepEqual(read.tracks.map((t) => t.id), [ids.Beta, ids.Alpha]);
  });

  test(`at most ${MAX_PLAYLISTS} playlists: one more is 409`, async () => {
    const store = server.app.playlists.store;
    while (store.size < MAX_PLAYLISTS) await store.create(`filler ${store.size}`, [], {});
    const answer = await api('POST', '/api/playlists', { name: 'One too many' });
    assert.equal(answer.status, 409, answer.text);
    for (const p of store.list()) if (p.name.startsWith('filler ')) await store.delete(p.id);
    assert.equal((await api('POST', '/api/playlists', { name: 'Room again' })).status, 201);
  });

  test("every change reaches another device's socket as { type: 'playlists' }", async () => {
    const other = await server.pair();
    const socket = new WebSocket(`${server.base.replace('http', 'ws')}/ws`, { headers: { cookie: other } });
    const messages: { type: string }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as { type: string }));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ type: 'hello', name: 'Other phone' }));
    await waitFor('welcome', () => messages.some((m) => m.type === 'welcome'));
    const count = () => messages.filter((m) => m.type === 'playlists').length;
    const started = Date.now();
    const { playlist, etag } = await create('Told', [ids.Alpha!]);
    await waitFor('told of the new playlist', () => count() === 1, 2000);
    assert.ok(Date.now() - started < 2000);
    await api('PUT', `/api/playlists/${playlist.id}`, { name: 'Told twice', trackIds: [] }, { 'if-match': etag });
    await waitFor('told of the change', () => count() === 2, 2000);
    await api('DELETE', `/api/playlists/${playlist.id}`);
    await waitFor('told of the deletion', () => count() === 3, 2000);
    // A refused change tells no one.
    await api('POST', '/api/playlists', { name: '' });
    await lib.put('Lists/new.m3u', 'One/a.mp3\n');
    await server.app.library.scan();
    await waitFor('told of a new playlist file', () => count() === 4, 2000);
    socket.close();
  });
});
