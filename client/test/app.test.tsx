import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { renderApp, settle } from './render.js';

let done: (() => void) | undefined;
afterEach(() => done?.());

async function setup(count = 30) {
  const app = await renderApp({ count });
  done = app.cleanup;
  return app;
}

const trackRows = (root: ParentNode = document) => [...root.querySelectorAll<HTMLButtonElement>('button[data-track-id]')];

describe('app', () => {
  it('opens on Albums with the nav, the search box and one persistent audio element', async () => {
    const { audio } = await setup();
    for (const name of ['Albums', 'Artists', 'Tracks', 'Devices']) expect(screen.getByRole('button', { name })).toBeTruthy();
    expect(screen.getByRole('searchbox', { name: 'Search' }).getAttribute('type')).toBe('search');
    expect(document.querySelectorAll('audio')).toHaveLength(1);
    expect(document.querySelector('audio')).toBe(audio);
    expect(audio.preload).toBe('metadata');
    const card = await screen.findByRole('button', { name: /Album 1\b/ });
    expect(card.textContent).toContain('Album 1');
    expect(screen.getByRole('button', { name: 'Albums' }).getAttribute('aria-current')).toBe('page');
  });

  it('shows an album’s tracks in order as buttons; tapping one plays the album from there', async () => {
    const { audio, play } = await setup();
    fireEvent.click(await screen.findByRole('button', { name: /Album 2\b/ }));
    await waitFor(() => expect(trackRows()).toHaveLength(10));
    const rows = trackRows();
    expect(rows.map((r) => r.dataset.trackId)).toEqual(['t11', 't12', 't13', 't14', 't15', 't16', 't17', 't18', 't19', 't20']);
    expect(rows[2]!.textContent).toContain('Song 13');
    expect(rows[2]!.tagName).toBe('BUTTON');

    fireEvent.click(rows[2]!);
    expect(audio.getAttribute('src')).toBe('/stream/t13');
    expect(play).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.getByTestId('now-title').textContent).toBe('Song 13'));
    expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy();

    // The album plays on from there.
    fireEvent.click(screen.getByRole('button', { name: 'Next track' }));
    expect(audio.getAttribute('src')).toBe('/stream/t14');

    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(await screen.findByRole('button', { name: /Album 1\b/ })).toBeTruthy();
  });

  it('Tracks lists every track (virtualized) and plays the list from the tapped row', async () => {
    const { audio, state } = await setup(2000);
    fireEvent.click(screen.getByRole('button', { name: 'Tracks' }));
    await waitFor(() => expect(trackRows().length).toBeGreaterThan(5));
    expect(trackRows().length).toBeLessThan(60);
    fireEvent.click(trackRows()[3]!);
    expect(audio.getAttribute('src')).toBe('/stream/t4');
    // Tapped while only the first page may be in: the rest of the library joins the queue.
    await waitFor(() => expect(state.player.queue.value).toHaveLength(2000));
    expect(state.player.queue.value.map((t) => t.id).slice(0, 5)).toEqual(['t1', 't2', 't3', 't4', 't5']);
    expect(state.player.current.value?.id).toBe('t4');
    expect(audio.getAttribute('src')).toBe('/stream/t4');
  });

  it('Artists lists artists; an artist page shows their albums', async () => {
    await setup();
    fireEvent.click(screen.getByRole('button', { name: 'Artists' }));
    fireEvent.click(await screen.findByRole('button', { name: 'The Testers' }));
    expect(await screen.findByRole('heading', { name: 'The Testers' })).toBeTruthy();
    expect(await screen.findByRole('button', { name: /Album 3\b/ })).toBeTruthy();
  });

  it('search filters tracks, albums and artists as you type', async () => {
    const { audio } = await setup();
    const box = screen.getByRole('searchbox', { name: 'Search' });
    fireEvent.input(box, { target: { value: 'song 2' } });
    await waitFor(() => expect(trackRows().length).toBeGreaterThan(0));
    const ids = trackRows().map((r) => r.dataset.trackId);
    expect(ids).toContain('t2');
    expect(ids).toContain('t25');
    expect(ids).not.toContain('t3');
    fireEvent.click(trackRows()[0]!);
    expect(audio.getAttribute('src')).toBe('/stream/t2');

    fireEvent.input(box, { target: { value: 'album 3' } });
    // Opening a result leaves the search: the album page shows, the box is empty.
    fireEvent.click(await screen.findByRole('button', { name: /^Album 3/ }));
    expect((box as HTMLInputElement).value).toBe('');
    fireEvent.input(box, { target: { value: 'album 3' } });
    expect(await screen.findByRole('button', { name: /^Album 3/ })).toBeTruthy();
    fireEvent.input(box, { target: { value: 'zzz' } });
    expect(await screen.findByText(/Nothing matches/)).toBeTruthy();
    // A tab clears the search.
    fireEvent.click(screen.getByRole('button', { name: 'Albums' }));
    expect((box as HTMLInputElement).value).toBe('');
  });

  it('opens and closes the full player from the mini player', async () => {
    await setup();
    fireEvent.click(await screen.findByRole('button', { name: /Album 1\b/ }));
    await waitFor(() => expect(trackRows()).toHaveLength(10));
    fireEvent.click(trackRows()[0]!);
    fireEvent.click(screen.getByRole('button', { name: 'Open player' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('slider', { name: 'Seek' })).toBeTruthy();
    // One of each control at a time: the mini player is gone while the full one is open.
    expect(document.querySelectorAll('[aria-label="Next track"]')).toHaveLength(1);
    expect(document.querySelectorAll('[data-testid="now-title"]')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Close player' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('tells the other devices what plays: on track change, pause and seek', async () => {
    const { audio } = await setup();
    const { FakeSocket } = await import('./fixtures.js');
    const socket = FakeSocket.last;
    socket.open();
    act(() => socket.receive({ type: 'welcome', deviceId: 'me', devices: [] }));
    fireEvent.click(await screen.findByRole('button', { name: /Album 1\b/ }));
    await waitFor(() => expect(trackRows()).toHaveLength(10));
    fireEvent.click(trackRows()[4]!);
    const nowPlaying = () => socket.messages.filter((m) => m.type === 'nowPlaying');
    expect(nowPlaying().at(-1)).toEqual({ type: 'nowPlaying', trackId: 't5', positionSec: 0, paused: false });
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    expect(nowPlaying().at(-1)).toMatchObject({ trackId: 't5', paused: true });
    Object.defineProperty(audio, 'readyState', { value: 1, configurable: true });
    fireEvent.click(screen.getByRole('button', { name: 'Open player' }));
    const slider = (await screen.findByRole('slider', { name: 'Seek' })) as HTMLInputElement;
    await settle();
    slider.value = '30';
    fireEvent.input(slider);
    fireEvent.change(slider);
    expect(nowPlaying().at(-1)).toEqual({ type: 'nowPlaying', trackId: 't5', positionSec: 30, paused: true });
    expect(socket.messages[0]).toEqual({ type: 'hello', name: 'Test Phone' });
  });

  it('the back gesture (popstate) returns from an album to the albums', async () => {
    await setup();
    fireEvent.click(await screen.findByRole('button', { name: /Album 2\b/ }));
    await waitFor(() => expect(trackRows()).toHaveLength(10));
    expect(location.pathname).toBe('/albums/a2');
    // iOS's edge swipe is the browser's back: popstate, the location already changed.
    history.back();
    await waitFor(() => expect(trackRows()).toHaveLength(0));
    expect(location.pathname).toBe('/albums');
    expect(screen.getByRole('button', { name: /Album 2\b/ })).toBeTruthy();
  });

  it('/ becomes /albums; every tab and page pushes its own path', async () => {
    await setup();
    expect(location.pathname).toBe('/albums');
    const length = history.length;
    fireEvent.click(screen.getByRole('button', { name: 'Tracks' }));
    expect(location.pathname).toBe('/tracks');
    fireEvent.click(screen.getByRole('button', { name: 'Playlists' }));
    expect(location.pathname).toBe('/playlists');
    fireEvent.click(screen.getByRole('button', { name: 'Playlists' }));
    expect(history.length).toBe(length + 2);
    fireEvent.click(screen.getByRole('button', { name: 'Artists' }));
    fireEvent.click(await screen.findByRole('button', { name: 'The Testers' }));
    expect(location.pathname).toBe('/artists/r1');
    expect(screen.getByRole('button', { name: 'Artists' }).getAttribute('aria-current')).toBe('page');
  });

  it('opening /albums/<id> directly shows that album; its Back goes to the albums (no entry of ours below)', async () => {
    const { unmount } = await setup();
    done?.();
    unmount();
    const app = await renderApp({ url: '/albums/a3' });
    done = app.cleanup;
    await waitFor(() => expect(trackRows().map((r) => r.dataset.trackId)[0]).toBe('t21'));
    const length = history.length;
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(location.pathname).toBe('/albums');
    expect(history.length).toBe(length);
    expect(await screen.findByRole('button', { name: /Album 3\b/ })).toBeTruthy();
  });

  it('search is /search?q=…: replaced while typing, restored on reload, Back returns to the screen it was typed over', async () => {
    await setup();
    fireEvent.click(screen.getByRole('button', { name: 'Tracks' }));
    const box = screen.getByRole('searchbox', { name: 'Search' });
    const length = history.length;
    fireEvent.input(box, { target: { value: 'so' } });
    fireEvent.input(box, { target: { value: 'song 2' } });
    expect(location.pathname + location.search).toBe('/search?q=song%202');
    expect(history.length).toBe(length + 1);
    await waitFor(() => expect(trackRows().length).toBeGreaterThan(0));
    // A tap on a result leaves the search; Back brings it back, box and all.
    fireEvent.click(screen.getByRole('button', { name: 'Albums' }));
    expect((box as HTMLInputElement).value).toBe('');
    history.back();
    await waitFor(() => expect((screen.getByRole('searchbox', { name: 'Search' }) as HTMLInputElement).value).toBe('song 2'));
    // Emptying the box returns to the screen it was typed over.
    fireEvent.input(box, { target: { value: '' } });
    expect(location.pathname).toBe('/tracks');
  });

  it('a page’s scroll position is kept in its history entry and restored on reload and on back', async () => {
    const { unmount } = await setup();
    fireEvent.click(await screen.findByRole('button', { name: /Album 2\b/ }));
    await waitFor(() => expect(trackRows()).toHaveLength(10));
    const scroller = () => document.querySelector<HTMLElement>('main [data-scroller]')!;
    scroller().scrollTop = 240;
    fireEvent.scroll(scroller());
    await waitFor(() => expect(history.state).toMatchObject({ scroll: 240 }));

    done?.();
    unmount();
    const app = await renderApp({ url: '/albums/a2', reloaded: true });
    done = app.cleanup;
    await waitFor(() => expect(trackRows()).toHaveLength(10));
    await waitFor(() => expect(scroller().scrollTop).toBe(240));

    // Away and back: the same.
    fireEvent.click(screen.getByRole('button', { name: 'Artists' }));
    await screen.findByRole('button', { name: 'The Testers' });
    history.back();
    await waitFor(() => expect(location.pathname).toBe('/albums/a2'));
    await waitFor(() => expect(trackRows()).toHaveLength(10));
    await waitFor(() => expect(scroller().scrollTop).toBe(240));
  });

  it('a reload lands on the same screen', async () => {
    const { unmount } = await setup();
    done?.();
    unmount();
    for (const [url, check] of [
      ['/artists', () => screen.findByRole('button', { name: 'The Testers' })],
      ['/search?q=song%2012', () => waitFor(() => expect(trackRows().map((r) => r.dataset.trackId)).toContain('t12'))],
      ['/devices#shared-links', () => screen.findByRole('heading', { name: 'Shared links' })],
    ] as const) {
      const app = await renderApp({ url });
      await check();
      expect(location.pathname + location.search + location.hash).toBe(url);
      app.cleanup();
      app.unmount();
    }
  });

  it('shows scan progress and refreshes when the library changes', async () => {
    const { state, routes } = await setup(10);
    const socket = (await import('./fixtures.js')).FakeSocket.last;
    socket.open();
    act(() => socket.receive({ type: 'scan', scanning: true, done: 3, total: 12 }));
    expect(screen.getByText(/Scanning library… 3 of 12/)).toBeTruthy();
    routes['/api/albums'] = { albums: [...(routes['/api/albums'] as { albums: unknown[] }).albums, { id: 'a9', title: 'Brand New', artist: 'X', artistId: 'r9', year: null, trackCount: 1, duration: 0, coverUrl: null }] };
    act(() => socket.receive({ type: 'scan', scanning: false, done: 12, total: 12 }));
    act(() => socket.receive({ type: 'library', trackCount: 11 }));
    expect(await screen.findByRole('button', { name: /Brand New/ })).toBeTruthy();
    expect(screen.queryByText(/Scanning library/)).toBeNull();
    expect(state.library.version.value).toBe(1);
  });
});
