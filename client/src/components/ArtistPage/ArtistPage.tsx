import { useApp } from '../../state/context.js';
import { useLibraryDetail } from '../../state/use-library-detail.js';
import { AlbumGrid } from '../AlbumGrid/AlbumGrid.js';
import { PageHeader } from '../PageHeader/PageHeader.js';
import styles from './ArtistPage.module.css';

/** One artist: their albums. */
export function ArtistPage({ id }: { id: string }) {
  const { library } = useApp();
  const { data: detail, error } = useLibraryDetail(library.artist, id, 'This artist could not be loaded.');

  const artist = detail?.artist ?? library.artists.value.find((a) => a.id === id);
  const albums = detail?.albums ?? [];
  const header = (
    <PageHeader>
      <h1 class={styles.name}>{artist?.name ?? ''}</h1>
      {error && <p role="alert">{error}</p>}
    </PageHeader>
  );
  return <AlbumGrid albums={albums} header={header} label={artist ? `Artist: ${artist.name}` : 'Artist'} />;
}
