import { signal } from '@preact/signals';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, flush, headersOf, makeTrack, playlistServer } from '../../test/fixtures.js';
import { CHANGED_ELSEWHERE, createPlaylists, moved, playable, playableIndex } from './playlists.js';

const tracks = Array.from({ length: 6 }, (_, i) => makeTrack(i + 1));

function setup(files: { name: string; trackIds: string[] }[] = []) {
  const server = playlistServer(tracks, files);
  const fetch = fakeFetch(server.routes);
  const notify = vi.fn();
  const version = signal(0);
  const model = createPlaylists({ fetch, notify, version, undoMs: 5000 });
  return { server, fetch, notify, version, model };
}

const puts = (fetch: ReturnType<typeof fakeFetch>) => fetch.requests.filter((r) => r.method === 'PUT');

afterEach(() => vi.useRealTimers());

describe('moved, playable', () => {
  it('moves an entry to a position; keys are positions, so a repeated track moves once', () => {
    expect(moved(['a', 'b', 'c', 'd'], 0, 2)).toEqual(['b', 'c', 'a', 'd']);
    expect(moved(['a', 'b', 'c', 'd'], 3, 0)).toEqual(['d', 'a', 'b', 'c']);
    expect(moved(['a', 'b', 'a'], 2, 0)).toEqual(['a', 'a', 'b']);
    expect(moved(['a', 'b'], 0, 9)).toEqual(['b', 'a']);
  });

  it('plays the tracks present and maps a row to its place among them (missing ones skipped)', () => {
    const entries = [
      { id: 't1', track: tracks[0]!, title: 'Song 1', artist: null },
      { id: 'gone', track: null, title: 'Gone', artist: null },
      { id: 't3', track: tracks[2]!, title: 'Song 3', artist: null },
    ];
    expect(playable(entries).map((t) => t.id)).toEqual(['t1', 't3']);
    expect(playableIndex(entries, 2)).toBe(1);
    expect(playableIndex(entries, 1)).toBe(-1);
  });
});

describe('playlists model', () => {
  it('creates (POST name) and lists it; rename is a PUT with If-Match naming the version fetched', async () => {
    const { model, fetch } = setup();
    await model.refresh();
    expect(model.list.value).toEqual([]);
    const created = await model.create('Road trip');
    expect(fetch.requests.find((r) => r.method === 'POST')).toMatchObject({ url: '/api/playlists', body: { name: 'Road trip' } });
    await flush();
    expect(model.list.value.map((p) => p.name)).toEqual(['Road trip']);

    await model.show(created.id);
    expect(model.open.value?.etag).toBe('"v1"');
    await model.rename(created.id, 'Night drive');
    const put = puts(fetch)[0]!;
    expect(headersOf(put)['if-match']).toBe('"v1"');
    expect(put.body).toEqual({ name: 'Night drive', trackIds: [] });
    expect(model.open.value?.playlist.name).toBe('Night drive');
    expect(model.open.value?.etag).toBe('"v2"');
    expect(model.list.value[0]!.name).toBe('Night drive');
  });

  it('a reorder sends the whole new order with If-Match, shown at once', async () => {
    const { model, fetch, server } = setup();
    const { id } = await model.create('Mix', ['t1', 't2', 't3', 't1']);
    await model.show(id);
    const saving = model.move(id, 3, 0);
    // Shown before the server answers.
    await Promise.resolve();
    await Promise.resolve();
    expect(model.saving.value).toBe(true);
    await saving;
    expect(puts(fetch)[0]).toMatchObject({ body: { name: 'Mix', trackIds: ['t1', 't1', 't2', 't3'] } });
    expect(headersOf(puts(fetch)[0])['if-match']).toBe('"v1"');
    expect(model.open.value?.tracks.map((e) => e.id)).toEqual(['t1', 't1', 't2', 't3']);
    expect(server.stored.get(id)!.trackIds).toEqual(['t1', 't1', 't2', 't3']);
    // The next change names the version the last one made.
    await model.removeAt(id, 1);
    expect(puts(fetch)[1]).toMatchObject({ body: { trackIds: ['t1', 't2', 't3'] } });
    expect(headersOf(puts(fetch)[1])['if-match']).toBe('"v2"');
    expect(model.saving.value).toBe(false);
  });

  it('412 on a move: refetches, shows the other device’s version, says so, and does not retry', async () => {
    const { model, fetch, server, notify } = setup();
    const { id } = await model.create('Mix', ['t1', 't2', 't3']);
    await model.show(id);
    server.elsewhere(id, (p) => p.trackIds.push('t4'));
    await model.move(id, 0, 2);
    expect(puts(fetch)).toHaveLength(1);
    expect(model.open.value?.tracks.map((e) => e.id)).toEqual(['t1', 't2', 't3', 't4']);
    expect(model.open.value?.etag).toBe('"v2"');
    expect(notify).toHaveBeenCalledWith(expect.stringContaining(CHANGED_ELSEWHERE));
  });

  it('412 on an add: refetches and adds to the fresh version', async () => {
    const { model, fetch, server, notify } = setup();
    const { id } = await model.create('Mix', ['t1']);
    await model.show(id);
    server.elsewhere(id, (p) => p.trackIds.push('t2'));
    await model.add(id, [tracks[4]!]);
    expect(puts(fetch).map((r) => headersOf(r)['if-match'])).toEqual(['"v1"', '"v2"']);
    expect(server.stored.get(id)!.trackIds).toEqual(['t1', 't2', 't5']);
    expect(model.open.value?.tracks.map((e) => e.id)).toEqual(['t1', 't2', 't5']);
    expect(notify).toHaveBeenCalledWith(CHANGED_ELSEWHERE);
  });

  it('adding to a playlist that is not open fetches its version first', async () => {
    const { model, fetch, server } = setup();
    const { id } = await model.create('Mix', ['t1']);
    await model.add(id, [tracks[1]!, tracks[2]!]);
    expect(fetch.requests.filter((r) => r.url === `/api/playlists/${id}`).map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(server.stored.get(id)!.trackIds).toEqual(['t1', 't2', 't3']);
  });

  it('delete hides it at once and sends DELETE (no body, no content type) only after the undo window', async () => {
    vi.useFakeTimers();
    const { model, fetch, server } = setup();
    const playlist = await model.create('Old');
    await model.refresh();
    model.remove(playlist);
    expect(model.list.value).toEqual([]);
    await vi.advanceTimersByTimeAsync(4900);
    expect(fetch.requests.some((r) => r.method === 'DELETE')).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    const del = fetch.requests.find((r) => r.method === 'DELETE')!;
    expect(del.url).toBe(`/api/playlists/${playlist.id}`);
    expect(headersOf(del)['content-type']).toBeUndefined();
    expect(server.stored.has(playlist.id)).toBe(false);
    expect(model.list.value).toEqual([]);
  });

  it('Undo within the window keeps it: no DELETE ever', async () => {
    vi.useFakeTimers();
    const { model, fetch, server } = setup();
    const playlist = await model.create('Keep');
    await model.refresh();
    const undo = model.remove(playlist);
    await vi.advanceTimersByTimeAsync(3000);
    undo();
    expect(model.list.value.map((p) => p.name)).toEqual(['Keep']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetch.requests.some((r) => r.method === 'DELETE')).toBe(false);
    expect(server.stored.has(playlist.id)).toBe(true);
  });

  it('refetches the list and the open playlist when the socket says playlists changed', async () => {
    const { model, server, version } = setup();
    const { id } = await model.create('Mix', ['t1']);
    await model.show(id);
    server.elsewhere(id, (p) => (p.name = 'Renamed elsewhere'));
    version.value++;
    await vi.waitFor(() => expect(model.open.value?.playlist.name).toBe('Renamed elsewhere'));
    await vi.waitFor(() => expect(model.list.value[0]!.name).toBe('Renamed elsewhere'));
  });

  it('editable leaves out library files; Save as my playlist copies the tracks present', async () => {
    const { model, fetch } = setup([{ name: 'From disk', trackIds: ['t1', 'nope', 't3'] }]);
    await model.refresh();
    expect(model.list.value.map((p) => [p.name, p.readOnly])).toEqual([['From disk', true]]);
    expect(model.editable.value).toEqual([]);
    await model.show('lib1');
    expect(model.open.value?.tracks.map((e) => e.track?.id ?? null)).toEqual(['t1', null, 't3']);
    const copy = await model.saveAsMine(model.open.value!);
    expect(fetch.requests.find((r) => r.method === 'POST')!.body).toEqual({ name: 'From disk', trackIds: ['t1', 't3'] });
    expect(copy.readOnly).toBe(false);
  });

  it('a delete still in its undo window is sent at once when the page goes away (flush, keepalive)', async () => {
    vi.useFakeTimers();
    const { model, fetch, server } = setup();
    const playlist = await model.create('Going');
    model.remove(playlist);
    model.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    expect(server.stored.has(playlist.id)).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetch.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
  });
});
