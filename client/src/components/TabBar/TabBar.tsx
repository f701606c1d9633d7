import { useApp } from '../../state/context.js';
import type { TabName } from '../../state/navigation.js';
import { Icon, type IconName } from '../Icon/Icon.js';
import styles from './TabBar.module.css';

const TABS: { name: TabName; label: string; icon: IconName }[] = [
  { name: 'albums', label: 'Albums', icon: 'album' },
  { name: 'artists', label: 'Artists', icon: 'artist' },
  { name: 'tracks', label: 'Tracks', icon: 'note' },
  { name: 'devices', label: 'Devices', icon: 'devices' },
];

/** The top-level sections, at the bottom of the screen where the thumb is. */
export function TabBar() {
  const { navigation, search } = useApp();
  const view = navigation.view.value.name;
  const active = view === 'album' ? 'albums' : view === 'artist' ? 'artists' : view === 'shares' ? 'devices' : view;
  const searching = search.query.value.trim() !== '';
  return (
    <nav class={styles.bar} aria-label="Library">
      {TABS.map((tab) => (
        <button
          key={tab.name}
          type="button"
          class={styles.tab}
          aria-current={!searching && active === tab.name ? 'page' : undefined}
          onClick={() => navigation.tab(tab.name)}
        >
          <Icon name={tab.icon} />
          <span>{tab.label}</span>
        </button>
      ))}
    </nav>
  );
}
