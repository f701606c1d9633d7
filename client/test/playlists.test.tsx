import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket, headersOf, libraryRoutes, playlistServer } from './fixtures.js';
import { renderApp, settle } from './render.js';

let done: (() => void) | undefined;
afterEach(() => {
  done?.();
  vi.useRealTimers();
});

const trackRows = (root: ParentNode = document) => [...root.querySelectorAll<HTMLButtonElement>('button[data-track-id]')];
const rowIds = () => trackRows().map((r) => r.dataset.trackId);

/** The app over 30 tracks (albums of 10) and a playlist server; `lists` are made first, through it. */
async function setup({ url = '/', lists = [] as [string, string[]][], files = [] as { name: string; trackIds: string[] }[] } = {}) {
  const server = playlistServer(libraryRoutes(30).tracks, files);
  for (const [name, ids] of lists) {
    await (server.routes['/api/playlists'] as (u: URL, i: RequestInit) => Response)(new URL('http://x/api/playlists'), {
      method: 'POST',
      body: JSON.stringify({ name, trackIds: ids }),
    });
  }
  const app = await renderApp({ url, routes: server.routes });
  done = app.cleanup;
  return { ...app, server };
}

async function openAlbum(n: number) {
  fireEvent.click(await screen.findByRole('button', { name: new RegExp(`Album ${n}\\b`) }));
  await waitFor(() => expect(trackRows()).toHaveLength(10));
}

const menu = () => screen.findByRole('dialog');

describe('the track menu', () => {
  it('"…" on a row: Play next and Add to queue queue after what plays', async () => {
    const { state } = await setup();
    await openAlbum(1);
    fireEvent.click(trackRows()[0]!);
    fireEvent.click(screen.getByRole('button', { name: 'More for Song 5' }));
    fireEvent.click(within(await menu()).getByRole('button', { name: 'Play next' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByRole('status').textContent).toContain('Plays next');
    fireEvent.click(screen.getByRole('button', { name: 'More for Song 9' }));
    fireEvent.click(within(await menu()).getByRole('button', { name: 'Add to queue' }));
    const queue = state.player.queue.value.map((t) => t.id);
    expect(queue.slice(0, 3)).toEqual(['t1', 't5', 't2']);
    expect(queue.at(-1)).toBe('t9');
    expect(queue).toHaveLength(12);
  });

  it('a long press on a row opens the menu, and the tap that ends it plays nothing', async () => {
    const { audio } = await setup();
    await openAlbum(1);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const row = trackRows()[2]!;
    fireEvent.pointerDown(row, { pointerType: 'touch', clientX: 10, clientY: 10 });
    act(() => void vi.advanceTimersByTime(600));
    fireEvent.pointerUp(row, { pointerType: 'touch' });
    fireEvent.click(row);
    vi.useRealTimers();
    expect(within(await menu()).getByRole('heading').textContent).toBe('Song 3');
    expect(audio.getAttribute('src')).toBeNull();
    // A finger that moves (a scroll) is no long press.
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    fireEvent.pointerDown(row, { pointerType: 'touch', clientX: 10, clientY: 10 });
    fireEvent.pointerMove(row, { pointerType: 'touch', clientX: 10, clientY: 60 });
    act(() => void vi.advanceTimersByTime(600));
    vi.useRealTimers();
    await settle();
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('Add to playlist: one of yours (a PUT with If-Match) or a new one (POST with the track)', async () => {
    const { fetch, server } = await setup({ lists: [['Road trip', ['t1']]], files: [{ name: 'On disk', trackIds: ['t2'] }] });
    await openAlbum(2);
    fireEvent.click(screen.getByRole('button', { name: 'More for Song 13' }));
    fireEvent.click(within(await menu()).getByRole('button', { name: 'Add to playlist…' }));
    const dialog = await menu();
    // Library files are read-only: not offered.
    await within(dialog).findByRole('button', { name: 'Road trip' });
    expect(within(dialog).queryByRole('button', { name: 'On disk' })).toBeNull();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Road trip' }));
    await waitFor(() => expect(server.stored.get('p1')!.trackIds).toEqual(['t1', 't13']));
    const put = fetch.requests.find((r) => r.method === 'PUT')!;
    expect(headersOf(put)['if-match']).toBe('"v1"');
    expect(await screen.findByText('Added to “Road trip”')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'More for Song 14' }));
    fireEvent.click(within(await menu()).getByRole('button', { name: 'Add to playlist…' }));
    fireEvent.click(within(await menu()).getByRole('button', { name: 'New playlist…' }));
    fireEvent.input(screen.getByRole('textbox', { name: 'New playlist name' }), { target: { value: 'Fresh' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect([...server.stored.values()].find((p) => p.name === 'Fresh')?.trackIds).toEqual(['t14']));
  });

  it('an album’s "Add all to playlist" adds its tracks in order', async () => {
    const { server } = await setup({ lists: [['Mix', []]] });
    await openAlbum(3);
    fireEvent.click(screen.getByRole('button', { name: 'Add all to playlist' }));
    fireEvent.click(await within(await menu()).findByRole('button', { name: 'Mix' }));
    await waitFor(() => expect(server.stored.get('p1')!.trackIds).toEqual(Array.from({ length: 10 }, (_, i) => `t${21 + i}`)));
    expect(await screen.findByText('Added to “Mix” (10 tracks)')).toBeTruthy();
  });
});

describe('playlists', () => {
  it('the Playlists tab lists yours then the library’s (read-only); New playlist opens it', async () => {
    const { server } = await setup({ lists: [['Zed', []], ['Alpha', ['t1']]], files: [{ name: 'On disk', trackIds: [] }] });
    fireEvent.click(screen.getByRole('button', { name: 'Playlists' }));
    await waitFor(() => expect(document.querySelectorAll('button[data-playlist-id]')).toHaveLength(3));
    const names = [...document.querySelectorAll('button[data-playlist-id]')].map((b) => b.textContent);
    expect(names[0]).toMatch(/^Alpha1 track/);
    expect(names[1]).toMatch(/^Zed/);
    expect(names[2]).toContain('from the music folder');

    fireEvent.click(screen.getByRole('button', { name: 'New playlist' }));
    fireEvent.input(screen.getByRole('textbox', { name: 'New playlist name' }), { target: { value: 'Brand new' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(location.pathname).toBe('/playlists/p3'));
    expect(await screen.findByRole('heading', { name: 'Brand new' })).toBeTruthy();
    expect(server.stored.get('p3')!.name).toBe('Brand new');
  });

  it('a playlist page: missing tracks greyed and skipped by the player; Play plays the ones present', async () => {
    const { state, audio } = await setup({ url: '/playlists/p1', lists: [['Mix', ['t3', 'gone', 't7', 't3']]] });
    await waitFor(() => expect(rowIds()).toEqual(['t3', 'gone', 't7', 't3']));
    const missing = trackRows()[1]!;
    expect(missing.disabled).toBe(true);
    expect(missing.hasAttribute('data-missing')).toBe(true);
    expect(missing.textContent).toContain('Lost gone');
    // The row after the missing one plays itself, and the queue holds only tracks present.
    fireEvent.click(trackRows()[2]!);
    expect(audio.getAttribute('src')).toBe('/stream/t7');
    expect(state.player.queue.value.map((t) => t.id)).toEqual(['t3', 't7', 't3']);
    fireEvent.click(screen.getByRole('button', { name: 'Play' }));
    expect(audio.getAttribute('src')).toBe('/stream/t3');
    state.player.next();
    expect(audio.getAttribute('src')).toBe('/stream/t7');
  });

  it('Edit: Move down / Move up / Remove send the new order with If-Match; a reload keeps it', async () => {
    const { fetch, server, unmount } = await setup({ url: '/playlists/p1', lists: [['Mix', ['t1', 't2', 't3']]] });
    await waitFor(() => expect(rowIds()).toEqual(['t1', 't2', 't3']));
    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    fireEvent.click(screen.getByRole('button', { name: 'Move “Song 1” down' }));
    await waitFor(() => expect(server.stored.get('p1')!.trackIds).toEqual(['t2', 't1', 't3']));
    const put = fetch.requests.filter((r) => r.method === 'PUT').at(-1);
    expect(put).toMatchObject({ body: { name: 'Mix', trackIds: ['t2', 't1', 't3'] } });
    expect(headersOf(put)['if-match']).toBe('"v1"');
    await waitFor(() => expect((screen.getByRole('button', { name: 'Move “Song 3” up' }) as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByRole('button', { name: 'Move “Song 3” up' }));
    await waitFor(() => expect(server.stored.get('p1')!.trackIds).toEqual(['t2', 't3', 't1']));
    await waitFor(() => expect((screen.getByRole('button', { name: 'Remove “Song 2”' }) as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByRole('button', { name: 'Remove “Song 2”' }));
    await waitFor(() => expect(server.stored.get('p1')!.trackIds).toEqual(['t3', 't1']));
    expect(rowIds()).toEqual(['t3', 't1']);

    done?.();
    unmount();
    const again = await renderApp({ url: location.pathname, routes: server.routes });
    done = again.cleanup;
    await waitFor(() => expect(rowIds()).toEqual(['t3', 't1']));
  });

  it('the drag handle reorders with pointer events', async () => {
    const { server } = await setup({ url: '/playlists/p1', lists: [['Mix', ['t1', 't2', 't3']]] });
    await waitFor(() => expect(rowIds()).toEqual(['t1', 't2', 't3']));
    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    const handle = document.querySelector<HTMLElement>('[aria-hidden="true"][class*="handle"]')!;
    fireEvent.pointerDown(handle, { pointerId: 1, pointerType: 'touch', clientY: 100 });
    fireEvent.pointerMove(handle, { pointerId: 1, pointerType: 'touch', clientY: 160 });
    fireEvent.pointerMove(handle, { pointerId: 1, pointerType: 'touch', clientY: 225 });
    fireEvent.pointerUp(handle, { pointerId: 1, pointerType: 'touch', clientY: 225 });
    await waitFor(() => expect(server.stored.get('p1')!.trackIds).toEqual(['t2', 't3', 't1']));
  });

  it('Delete: back to the list at once, Undo in the toast keeps it; without Undo it is deleted after 5 s', async () => {
    const { server, fetch } = await setup({ lists: [['Keep me', ['t1']], ['Lose me', []]] });
    fireEvent.click(screen.getByRole('button', { name: 'Playlists' }));
    fireEvent.click(await screen.findByRole('button', { name: /^Keep me/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(location.pathname).toBe('/playlists'));
    expect(screen.queryByRole('button', { name: /^Keep me/ })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    expect(await screen.findByRole('button', { name: /^Keep me/ })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: /^Lose me/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    expect(fetch.requests.some((r) => r.method === 'DELETE')).toBe(false);
    await waitFor(() => expect(server.stored.has('p2')).toBe(false), { timeout: 8000 });
    expect(server.stored.has('p1')).toBe(true);
  });

  it('a read-only playlist offers Save as my playlist (the tracks present), not Edit or Delete', async () => {
    const { server } = await setup({ url: '/playlists/lib1', files: [{ name: 'On disk', trackIds: ['t1', 'gone', 't2'] }] });
    const save = (await screen.findByRole('button', { name: 'Save as my playlist' })) as HTMLButtonElement;
    await waitFor(() => expect(save.disabled).toBe(false));
    fireEvent.click(save);
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
    await waitFor(() => expect(location.pathname).toBe('/playlists/p1'));
    expect(server.stored.get('p1')).toMatchObject({ name: 'On disk', trackIds: ['t1', 't2'] });
  });

  it('{ type: "playlists" } on the socket refetches: another device’s new playlist shows', async () => {
    const { server } = await setup({ url: '/playlists', lists: [['First', []]] });
    await screen.findByRole('button', { name: /^First/ });
    await (server.routes['/api/playlists'] as (u: URL, i: RequestInit) => Response)(new URL('http://x/api/playlists'), {
      method: 'POST',
      body: JSON.stringify({ name: 'From the other phone' }),
    });
    const socket = FakeSocket.last;
    socket.open();
    act(() => socket.receive({ type: 'playlists' }));
    expect(await screen.findByRole('button', { name: /^From the other phone/ })).toBeTruthy();
  });

  it('Share on a playlist opens the share sheet for it', async () => {
    const { state } = await setup({ url: '/playlists/p1', lists: [['Mix', ['t1']]] });
    fireEvent.click(await screen.findByRole('button', { name: 'Share' }));
    expect(state.shareTarget.value).toEqual({ type: 'playlist', id: 'p1', title: 'Mix' });
  });
});
