import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNavigation, LAST_SCREEN_KEY, parentView, viewFromLocation, viewPath, type NavigationModel, type View } from './navigation.js';

const at = (url: string) => history.replaceState(null, '', url);
const here = () => location.pathname + location.search + location.hash;
const popped = () => new Promise<void>((resolve) => addEventListener('popstate', () => resolve(), { once: true }));

let nav: NavigationModel | undefined;
function start(url: string, onView?: (view: View) => void) {
  at(url);
  nav = createNavigation(window, { onView });
  nav.start();
  return nav;
}

beforeEach(() => localStorage.clear());
afterEach(() => {
  nav?.stop();
  nav = undefined;
  vi.useRealTimers();
});

describe('paths', () => {
  it('reads every screen from its location, and makes the same path back', () => {
    const cases: [string, View][] = [
      ['/albums', { name: 'albums' }],
      ['/albums/a1', { name: 'album', id: 'a1' }],
      ['/artists', { name: 'artists' }],
      ['/artists/r-1', { name: 'artist', id: 'r-1' }],
      ['/tracks', { name: 'tracks' }],
      ['/playlists', { name: 'playlists' }],
      ['/playlists/p_9', { name: 'playlist', id: 'p_9' }],
      ['/devices', { name: 'devices' }],
      ['/devices#shared-links', { name: 'shares' }],
      ['/search?q=mile%20davis', { name: 'search', query: 'mile davis' }],
    ];
    for (const [url, view] of cases) {
      const u = new URL(url, 'http://x');
      expect(viewFromLocation(u)).toEqual(view);
      expect(viewPath(view)).toBe(url);
    }
    expect(viewFromLocation(new URL('/nope', 'http://x'))).toBeUndefined();
  });

  it('a page’s parent: album -> albums, artist -> artists, playlist -> playlists, shared links -> devices', () => {
    expect(parentView({ name: 'album', id: 'a' })).toEqual({ name: 'albums' });
    expect(parentView({ name: 'artist', id: 'a' })).toEqual({ name: 'artists' });
    expect(parentView({ name: 'playlist', id: 'a' })).toEqual({ name: 'playlists' });
    expect(parentView({ name: 'shares' })).toEqual({ name: 'devices' });
  });
});

describe('navigation', () => {
  it('starts on the location’s screen; / becomes /albums without a new entry', () => {
    const length = history.length;
    const model = start('/');
    expect(model.view.value).toEqual({ name: 'albums' });
    expect(here()).toBe('/albums');
    expect(history.length).toBe(length);
    model.stop();
    expect(start('/playlists/p1').view.value).toEqual({ name: 'playlist', id: 'p1' });
  });

  it('pushes an entry per screen (none for the one shown), and popstate shows the entry’s screen', async () => {
    const seen: string[] = [];
    const model = start('/albums', (view) => seen.push(view.name));
    const length = history.length;
    model.open({ name: 'album', id: 'a2' });
    expect(here()).toBe('/albums/a2');
    model.tab('playlists');
    model.tab('playlists');
    expect(history.length).toBe(length + 2);
    expect(history.state).toMatchObject({ depth: 2 });

    const back = popped();
    history.back();
    await back;
    expect(model.view.value).toEqual({ name: 'album', id: 'a2' });
    expect(seen).toEqual(['albums', 'album', 'playlists', 'album']);
  });

  it('Back: the entry below when it is ours, else the page’s parent in place (opened from a link)', async () => {
    const model = start('/albums');
    model.open({ name: 'album', id: 'a2' });
    const back = popped();
    model.back();
    await back;
    expect(model.view.value).toEqual({ name: 'albums' });
    model.stop();

    const direct = start('/playlists/p3');
    const length = history.length;
    direct.back();
    expect(direct.view.value).toEqual({ name: 'playlists' });
    expect(here()).toBe('/playlists');
    expect(history.length).toBe(length);
  });

  it('keeps each entry’s scroll in history.state and hands it back on popstate and on reload', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const model = start('/tracks');
    model.saveScroll(1200);
    expect(history.state?.scroll).toBeUndefined(); // debounced
    vi.advanceTimersByTime(400);
    expect(history.state).toMatchObject({ scroll: 1200 });
    model.saveScroll(1500);
    // A tap saves the position at once, before the new entry.
    model.open({ name: 'album', id: 'a1' });
    expect(model.scroll.value).toBeNull();
    vi.useRealTimers();
    const back = popped();
    history.back();
    await back;
    expect(model.view.value).toEqual({ name: 'tracks' });
    expect(model.scroll.value).toBe(1500);

    // A reload: the entry (and its state) survives; a new model reads it.
    model.stop();
    nav = createNavigation(window);
    nav.start();
    expect(nav.view.value).toEqual({ name: 'tracks' });
    expect(nav.scroll.value).toBe(1500);
  });

  it('search: the first key pushes /search?q=, the next ones replace it, empty returns to the screen below', () => {
    const model = start('/artists');
    const length = history.length;
    model.search('mi');
    model.search('miles');
    expect(here()).toBe('/search?q=miles');
    expect(history.length).toBe(length + 1);
    expect(model.view.value).toEqual({ name: 'search', query: 'miles' });
    model.search('');
    expect(here()).toBe('/artists');
    expect(model.view.value).toEqual({ name: 'artists' });
  });

  it('the home-screen app reopened at / returns to the last screen shown', () => {
    const model = start('/albums');
    model.open({ name: 'playlist', id: 'p4' });
    expect(localStorage.getItem(LAST_SCREEN_KEY)).toBe('/playlists/p4');
    model.stop();
    Object.defineProperty(navigator, 'standalone', { value: true, configurable: true });
    try {
      expect(start('/').view.value).toEqual({ name: 'playlist', id: 'p4' });
      expect(here()).toBe('/playlists/p4');
    } finally {
      delete (navigator as unknown as Record<string, unknown>).standalone;
    }
  });
});
