import { AlbumGrid } from './components/AlbumGrid/AlbumGrid.js';
import { AlbumPage } from './components/AlbumPage/AlbumPage.js';
import { ArtistList } from './components/ArtistList/ArtistList.js';
import { ArtistPage } from './components/ArtistPage/ArtistPage.js';
import { Devices } from './components/Devices/Devices.js';
import { FullPlayer } from './components/FullPlayer/FullPlayer.js';
import { MiniPlayer } from './components/MiniPlayer/MiniPlayer.js';
import { Pairing } from './components/Pairing/Pairing.js';
import { ResumePrompt } from './components/ResumePrompt/ResumePrompt.js';
import { ScanStatus } from './components/ScanStatus/ScanStatus.js';
import { SearchBar } from './components/SearchBar/SearchBar.js';
import { SearchResults } from './components/SearchResults/SearchResults.js';
import { TabBar } from './components/TabBar/TabBar.js';
import { TracksView } from './components/TracksView/TracksView.js';
import type { AppState } from './state/app-state.js';
import { AppContext, useApp } from './state/context.js';
import { useModule } from './state/use-module.js';
import styles from './app.module.css';

function Note({ children }: { children: string }) {
  return <p class={styles.note}>{children}</p>;
}

// Share links: the sheet and the screen come in chunks of their own, on first use.
const loadShareSheet = () => import('./components/ShareSheet/ShareSheet.js');
const loadSharedLinks = () => import('./components/SharedLinks/SharedLinks.js');

function LazySharedLinks() {
  const loaded = useModule(loadSharedLinks);
  if (loaded === 'failed') return <Note>Could not load the shared links. Reload the page to try again.</Note>;
  return loaded ? <loaded.SharedLinks /> : <Note>Loading…</Note>;
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

/** The current screen: search results while there is a query, else the view. */
function Screen() {
  const { navigation, library, search } = useApp();
  if (search.query.value.trim()) return <SearchResults />;
  const view = navigation.view.value;
  switch (view.name) {
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
      return <ArtistList artists={library.artists.value} />;
    case 'tracks':
      return <TracksView />;
    case 'devices':
      return <Devices />;
    case 'shares':
      return <LazySharedLinks />;
    case 'album':
      return <AlbumPage key={view.id} id={view.id} />;
    case 'artist':
      return <ArtistPage key={view.id} id={view.id} />;
  }
}

function Layout() {
  const { playerOpen, shareTarget } = useApp();
  const open = playerOpen.value;
  return (
    <>
      {/* Behind the full player: inert, so nothing there can be tapped or found twice. */}
      <div class={styles.app} inert={open} aria-hidden={open ? 'true' : undefined}>
        <header class={styles.header}>
          <SearchBar />
          <ScanStatus />
        </header>
        <main class={styles.main}>
          <Screen />
        </main>
        {!open && <MiniPlayer />}
        <TabBar />
      </div>
      {open && <FullPlayer />}
      {shareTarget.value && <LazyShareSheet onClose={() => (shareTarget.value = null)} />}
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
