import { AlbumGrid } from './components/AlbumGrid/AlbumGrid.js';
import { AlbumPage } from './components/AlbumPage/AlbumPage.js';
import { MiniPlayer } from './components/MiniPlayer/MiniPlayer.js';
import { Pairing } from './components/Pairing/Pairing.js';
import { ResumePrompt } from './components/ResumePrompt/ResumePrompt.js';
import { ScanStatus } from './components/ScanStatus/ScanStatus.js';
import { SearchBar } from './components/SearchBar/SearchBar.js';
import { TabBar } from './components/TabBar/TabBar.js';
import { TracksView } from './components/TracksView/TracksView.js';
import type { RefObject, VNode } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { AppState } from './state/app-state.js';
import { AppContext, useApp } from './state/context.js';
import { useModule } from './state/use-module.js';
import styles from './app.module.css';

function Note({ children }: { children: string }) {
  return <p class={styles.note}>{children}</p>;
}

// Screens and panels the first screen does without: chunks of their own, loaded on first use.
const loadShareSheet = () => import('./components/ShareSheet/ShareSheet.js');
const loadSharedLinks = () => import('./components/SharedLinks/SharedLinks.js');
const loadPlaylists = () => import('./components/Playlists/Playlists.js');
const loadRowMenu = () => import('./components/RowMenu/RowMenu.js');
const loadDevices = () => import('./components/Devices/Devices.js');
const loadSearch = () => import('./components/SearchResults/SearchResults.js');
const loadArtists = () => import('./components/ArtistList/ArtistList.js');
const loadFullPlayer = () => import('./components/FullPlayer/FullPlayer.js');
const loadArtist = () => import('./components/ArtistPage/ArtistPage.js');

/** A screen from a chunk of its own: "Loading…" until it is in. */
function Lazy<T>({ load, show, what }: { load: () => Promise<T>; show: (module: T) => VNode; what: string }) {
  const loaded = useModule(load);
  if (loaded === 'failed') return <Note>{`Could not load ${what}. Reload the page to try again.`}</Note>;
  return loaded ? show(loaded) : <Note>Loading…</Note>;
}

function LazyFullPlayer() {
  const loaded = useModule(loadFullPlayer);
  return loaded && loaded !== 'failed' ? <loaded.FullPlayer /> : null;
}

function LazyRowMenu() {
  const loaded = useModule(loadRowMenu);
  return loaded && loaded !== 'failed' ? <loaded.RowMenu /> : null;
}

/** The one-line message at the bottom ("Added to …", "Deleted …" with Undo). */
function Toast() {
  const { toast } = useApp();
  const shown = toast.value;
  if (!shown) return null;
  return (
    <p class={styles.toast} role="status">
      {shown.text}
      {shown.action && (
        <button
          type="button"
          class={styles.action}
          onClick={() => {
            toast.value = null;
            shown.action!.run();
          }}
        >
          {shown.action.label}
        </button>
      )}
    </p>
  );
}

/**
 * Each history entry's scroll position: saved as the screen's list scrolls (in history.state),
 * put back on back/forward/reload once the screen's data has rendered (tried for up to 10 s while
 * it arrives, say all tracks of a large library, until a finger or wheel takes over).
 */
function useScrollMemory(main: RefObject<HTMLElement>) {
  const { navigation } = useApp();
  const view = navigation.view.value;
  useEffect(() => {
    const el = main.current;
    if (!el) return;
    const onScroll = (event: Event) => {
      const target = event.target as HTMLElement;
      if (target.dataset?.scroller !== undefined) navigation.saveScroll(target.scrollTop);
    };
    el.addEventListener('scroll', onScroll, true);
    return () => el.removeEventListener('scroll', onScroll, true);
  }, [main, navigation]);
  useEffect(() => {
    const el = main.current;
    const top = navigation.scroll.peek();
    if (!el || top === null) return;
    let tries = 0;
    const timer = setInterval(() => {
      const scroller = el.querySelector<HTMLElement>('[data-scroller]');
      if (scroller) scroller.scrollTop = top;
      if (++tries > 200 || (scroller && Math.abs(scroller.scrollTop - top) < 2)) stop();
    }, 50);
    const stop = () => {
      clearInterval(timer);
      el.removeEventListener('touchstart', stop);
      el.removeEventListener('wheel', stop);
    };
    el.addEventListener('touchstart', stop);
    el.addEventListener('wheel', stop);
    return stop;
  }, [main, navigation, view]);
}

function LazyShareSheet({ onClose }: { onClose: () => void }) {
  const loaded = useModule(loadShareSheet);
  if (loaded === 'failed') {
    return (
      <p class={styles.toast} role="alert" onClick={onClose}>
        Could not open Share. Reload the page to try again.
      </p>
    );
  }
  return loaded ? <loaded.ShareSheet /> : null;
}

/** The current screen: the URL's. */
function Screen() {
  const { navigation, library, search } = useApp();
  const view = navigation.view.value;
  switch (view.name) {
    case 'search':
      return search.query.value.trim() ? <Lazy load={loadSearch} what="search" show={(m) => <m.SearchResults />} /> : <Note>Type to search your music.</Note>;
    case 'playlists':
      return <Lazy load={loadPlaylists} what="the playlists" show={(m) => <m.Playlists />} />;
    case 'playlist':
      return <Lazy key={view.id} load={loadPlaylists} what="the playlist" show={(m) => <m.PlaylistPage id={view.id} />} />;
    case 'albums': {
      const albums = library.albums.value;
      const status = library.status.value;
      if (albums.length === 0) {
        if (status === 'error') return <Note>{library.error.value ?? 'The library could not be loaded.'}</Note>;
        if (status !== 'ready') return <Note>Loading…</Note>;
        return <Note>{library.scan.value?.scanning ? 'Your music is being scanned…' : 'No music yet. Add files to the music folder.'}</Note>;
      }
      return <AlbumGrid albums={albums} persistKey="albums" label="Albums" />;
    }
    case 'artists':
      return <Lazy load={loadArtists} what="the artists" show={(m) => <m.ArtistList artists={library.artists.value} />} />;
    case 'tracks':
      return <TracksView />;
    case 'devices':
      return <Lazy load={loadDevices} what="Devices" show={(m) => <m.Devices />} />;
    case 'shares':
      return <Lazy load={loadSharedLinks} what="the shared links" show={(m) => <m.SharedLinks />} />;
    case 'album':
      return <AlbumPage key={view.id} id={view.id} />;
    case 'artist':
      return <Lazy key={view.id} load={loadArtist} what="the artist" show={(m) => <m.ArtistPage id={view.id} />} />;
  }
}

function Layout() {
  const { playerOpen, shareTarget, rowMenu, player } = useApp();
  const open = playerOpen.value;
  const playing = player.current.value !== null;
  // The full player's chunk, fetched once something plays: its first opening is instant.
  useEffect(() => void (playing && loadFullPlayer()), [playing]);
  const main = useRef<HTMLElement>(null);
  useScrollMemory(main);
  return (
    <>
      {/* Behind the full player: inert, so nothing there can be tapped or found twice. */}
      <div class={styles.app} inert={open} aria-hidden={open ? 'true' : undefined}>
        <header class={styles.header}>
          <SearchBar />
          <ScanStatus />
        </header>
        <main ref={main} class={styles.main}>
          <Screen />
        </main>
        {!open && <MiniPlayer />}
        <TabBar />
      </div>
      {open && <LazyFullPlayer />}
      {shareTarget.value && <LazyShareSheet onClose={() => (shareTarget.value = null)} />}
      {rowMenu.value && <LazyRowMenu />}
      <Toast />
      <ResumePrompt />
    </>
  );
}

/** The server could not be asked whether this browser may in. */
function Unreachable() {
  const state = useApp();
  return (
    <div class={styles.unreachable} role="alert">
      <p>{state.auth.error.value}</p>
      <button type="button" class={styles.retry} onClick={() => void state.start()}>
        Try again
      </button>
    </div>
  );
}

/** The app with a session (or with access control off), else the pairing screen. */
function Gate() {
  const { auth } = useApp();
  switch (auth.status.value) {
    case 'in':
      return <Layout />;
    case 'out':
      return <Pairing />;
    case 'error':
      return <Unreachable />;
    case 'checking':
      // One short request; nothing to show until it answers.
      return null;
  }
}

export function App({ state }: { state: AppState }) {
  return (
    <AppContext.Provider value={state}>
      <Gate />
    </AppContext.Provider>
  );
}
