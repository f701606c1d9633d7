import type { Album } from '@musicsharer/shared';
import { useApp } from '../../state/context.js';
import { Cover } from '../Cover/Cover.js';
import styles from './AlbumCard.module.css';

/** An album's cover, title and artist; a tap opens the album. The grid and search results both show albums this way. */
export function AlbumCard({ album, class: className = '' }: { album: Album; class?: string }) {
  const { navigation } = useApp();
  return (
    <button
      type="button"
      class={`${styles.card} ${className}`}
      data-album-id={album.id}
      onClick={() => navigation.open({ name: 'album', id: album.id })}
    >
      <Cover url={album.coverUrl} title={album.title} size={256} />
      <span class={styles.title}>{album.title}</span>
      <span class={styles.artist}>{album.artist}</span>
    </button>
  );
}
