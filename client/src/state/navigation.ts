/**
 * The URL is the screen (issue 14): every screen has a path (shared/src/screens.ts), a tap pushes
 * a history entry, back and forward (iOS's edge swipe included) are `popstate`, and a load reads
 * the screen from the location, so a reload, a link from another device or the home-screen app
 * reopened by iOS lands where it was. Each entry keeps its scroll position in `history.state`.
 * No router library: a signal holds the current view.
 */
import { signal, type ReadonlySignal } from '@preact/signals';
import { DEFAULT_SCREEN, parseScreen, screenPath, screenPaths, type Screen } from '@musicsharer/shared';

/** The screens: one per path, and Shared links (from Devices) at `/devices#shared-links`. */
export type View = Screen | { name: 'shares' };

export type TabName = 'albums' | 'artists' | 'tracks' | 'playlists' | 'devices';

const SHARES_HASH = '#shared-links';
/** The last path shown, for a home-screen app that iOS reopens at its start URL (`/`). */
export const LAST_SCREEN_KEY = 'musicsharer.lastScreen';

export function viewPath(view: View): string {
  return view.name === 'shares' ? screenPaths.devices + SHARES_HASH : screenPath(view);
}

/** The view of a location; undefined for a path that is no screen. */
export function viewFromLocation(location: Pick<Location, 'pathname' | 'search' | 'hash'>): View | undefined {
  const screen = parseScreen(location.pathname, location.search);
  return screen?.name === 'devices' && location.hash === SHARES_HASH ? { name: 'shares' } : screen;
}

/** Where a page's Back goes when no entry of ours lies below it (it was opened from a link). */
export function parentView(view: View): View {
  switch (view.name) {
    case 'artist':
      return { name: 'artists' };
    case 'playlist':
      return { name: 'playlists' };
    case 'shares':
      return { name: 'devices' };
    default:
      return DEFAULT_SCREEN;
  }
}

/** What each history entry carries: how many of our entries lie below it, its scroll, and (a search) the path it was typed over. */
export interface EntryState {
  depth: number;
  scroll?: number;
  from?: string;
}

export interface NavigationModel {
  view: ReadonlySignal<View>;
  /** The scroll position to restore for the current entry (back, forward, reload), or null for a new one. */
  scroll: ReadonlySignal<number | null>;
  tab(name: TabName): void;
  /** A new history entry for `view` (none when it is already shown). */
  open(view: View): void;
  /** Typing in search: `/search?q=` pushed over the current screen, then replaced at each key; empty goes back to that screen. */
  search(query: string): void;
  /** A page's Back button: the previous entry when it is ours, else the page's parent screen. */
  back(): void;
  /** Remembers the current entry's scroll position (debounced: Safari limits history calls). */
  saveScroll(top: number): void;
  start(): void;
  stop(): void;
}

export interface NavigationOptions {
  /** Runs on every change of view (a tap, back/forward, the start): the app syncs the search box. */
  onView?: (view: View) => void;
}

type NavWindow = Pick<Window, 'history' | 'location' | 'addEventListener' | 'removeEventListener'> & { localStorage?: Storage; navigator?: Navigator };

/** Is this the home-screen app (its own window, reopened by iOS at the manifest's start URL)? */
function standalone(win: NavWindow): boolean {
  return (win.navigator as { standalone?: boolean } | undefined)?.standalone === true;
}

export function createNavigation(win: NavWindow | null, options: NavigationOptions = {}): NavigationModel {
  const history = win?.history;
  const entry = (): EntryState => {
    const state = history?.state as Partial<EntryState> | null | undefined;
    return { ...state, depth: typeof state?.depth === 'number' ? state.depth : 0 };
  };
  const here = (): View => (win && viewFromLocation(win.location)) || DEFAULT_SCREEN;
  const view = signal<View>(here());
  const scroll = signal<number | null>(null);
  let scrollTimer: ReturnType<typeof setTimeout> | undefined;
  let pendingScroll: number | null = null;

  /** Safari throws after 100 history calls in 30 s: a lost scroll position is no reason to fail a tap. */
  function write(kind: 'push' | 'replace', state: EntryState, next: View) {
    const path = viewPath(next);
    try {
      if (kind === 'push') history?.pushState(state, '', path);
      else history?.replaceState(state, '', path);
      win?.localStorage?.setItem(LAST_SCREEN_KEY, path);
    } catch {
      // History refused (rate limit) or storage full.
    }
  }

  function flushScroll() {
    clearTimeout(scrollTimer);
    if (pendingScroll === null) return;
    const top = pendingScroll;
    pendingScroll = null;
    try {
      history?.replaceState({ ...entry(), scroll: top }, '');
    } catch {
      // Rate-limited: this position is lost.
    }
  }

  function show(next: View, restore: number | null) {
    scroll.value = restore;
    view.value = next;
    options.onView?.(next);
  }

  function push(next: View, extra: Partial<EntryState> = {}) {
    if (viewPath(next) === viewPath(view.peek())) return;
    flushScroll();
    write('push', { depth: entry().depth + 1, ...extra }, next);
    show(next, null);
  }

  function replace(next: View) {
    pendingScroll = null;
    clearTimeout(scrollTimer);
    write('replace', { depth: entry().depth }, next);
    show(next, null);
  }

  const onPop = () => {
    pendingScroll = null;
    clearTimeout(scrollTimer);
    show(here(), entry().scroll ?? null);
  };

  return {
    view,
    scroll,
    tab: (name) => push({ name }),
    open: (next) => push(next),
    search(query) {
      const current = view.peek();
      if (current.name === 'search') {
        if (query.trim()) {
          write('replace', { ...entry(), scroll: undefined }, { name: 'search', query });
          view.value = { name: 'search', query };
        } else {
          const from = entry().from;
          replace((from && viewFromLocation(new URL(from, 'http://x'))) || DEFAULT_SCREEN);
        }
      } else if (query.trim()) {
        push({ name: 'search', query }, { from: viewPath(current) });
      }
    },
    back() {
      if (entry().depth > 0) history?.back();
      else replace(parentView(view.peek()));
    },
    saveScroll(top) {
      pendingScroll = top;
      clearTimeout(scrollTimer);
      scrollTimer = setTimeout(flushScroll, 300);
    },
    start() {
      if (!win) return;
      let start = here();
      // iOS reopens an unloaded home-screen app at `/`: back to the screen it showed.
      if (win.location.pathname === '/' && standalone(win)) {
        try {
          const last = win.localStorage?.getItem(LAST_SCREEN_KEY);
          start = (last && viewFromLocation(new URL(last, 'http://x'))) || start;
        } catch {
          // No storage (private browsing): the default screen.
        }
      }
      // `/` (or a path that is no screen) becomes the screen's own path, keeping the entry's state.
      const state = entry();
      write('replace', state, start);
      show(start, state.scroll ?? null);
      win.addEventListener('popstate', onPop);
    },
    stop() {
      flushScroll();
      win?.removeEventListener('popstate', onPop);
    },
  };
}
