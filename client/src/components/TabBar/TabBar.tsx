import { useApp } from '../../state/context.js';
import type { TabName, View } from '../../state/navigation.js';
import { Icon, type IconName } from '../Icon/Icon.js';
import styles from './TabBar.module.css';

const TABS: { name: TabName; label: string; icon: IconName }[] = [
  { name: 'albums', label: 'Albums', icon: 'album' },
  { name: 'artists', label: 'Artists', icon: 'artist' },
  { name: 'tracks', label: 'Tracks', icon: 'note' },
  { name: 'playlists', label: 'Playlists', icon: 'playlist' },
  { name: 'devices', label: 'Devices', icon: 'devices' },
];

const PAGE_TAB: Partial<Record<View['name'], TabName>> = { album: 'albums', artist: 'artists', playlist: 'playlists', shares: 'devices' };

/** The top-level sections, at the bottom of the screen where the thumb is. */
export function TabBar() {
  const { navigation } = useApp();
  const view = navigation.view.value.name;
  // A page lights its tab (an album: Albums); search lights none.
  const active = view === 'search' ? null : (PAGE_TAB[view] ?? view);
  return (
    <nav class={styles.bar} aria-label="Library">
      {TABS.map((tab) => (
        <button
          key={tab.name}
          type="button"
          class={styles.tab}
          aria-current={active === tab.name ? 'page' : undefined}
          onClick={() => navigation.tab(tab.name)}
        >
          <Icon name={tab.icon} />
          <span>{tab.label}</span>
        </button>
      ))}
    </nav>
  );
}
