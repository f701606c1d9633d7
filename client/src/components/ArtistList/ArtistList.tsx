import { useApp } from '../../state/context.js';
import { VirtualList } from '../VirtualList/VirtualList.js';
import styles from './ArtistList.module.css';
import type { Artist } from '@musicsharer/shared';

export const ARTIST_ROW_HEIGHT = 60;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function ArtistRow({ artist }: { artist: Artist }) {
  const { navigation } = useApp();
  return (
    <button
      type="button"
      class={styles.row}
      data-artist-id={artist.id}
      onClick={() => navigation.open({ name: 'artist', id: artist.id })}
    >
      <span class={styles.name}>{artist.name}</span>
      {/* Counts are visual only, so a row's name never contains "Albums" or "Tracks" (the tab names). */}
      <span class={styles.counts} aria-hidden="true">
        {plural(artist.albumCount, 'album')} · {plural(artist.trackCount, 'track')}
      </span>
    </button>
  );
}

export function ArtistList({ artists }: { artists: readonly Artist[] }) {
  return (
    <VirtualList
      count={artists.length}
      rowHeight={ARTIST_ROW_HEIGHT}
      persistKey="artists"
      label="Artists"
      renderRow={(i) => <ArtistRow artist={artists[i]!} />}
    />
  );
}
