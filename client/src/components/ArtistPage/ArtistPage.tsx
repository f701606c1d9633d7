import { useEffect, useState } from 'preact/hooks';
import type { ArtistDetailResponse } from '@musicsharer/shared';
import { useApp } from '../../state/context.js';
import { AlbumGrid } from '../AlbumGrid/AlbumGrid.js';
import { PageHeader } from '../PageHeader/PageHeader.js';
import styles from './ArtistPage.module.css';

/** One artist: their albums. */
export function ArtistPage({ id }: { id: string }) {
  const { library } = useApp();
  const version = library.version.value;
  const [detail, setDetail] = useState<ArtistDetailResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    library.artist(id).then(
      (d) => live && setDetail(d),
      () => live && setError('This artist could not be loaded.'),
    );
    return () => {
      live = false;
    };
  }, [id, version, library]);

  const artist = detail?.artist.id === id ? detail.artist : library.artists.value.find((a) => a.id === id);
  const albums = detail?.artist.id === id ? detail.albums : [];
  const header = (
    <PageHeader>
      <h1 class={styles.name}>{artist?.name ?? ''}</h1>
      {error && <p role="alert">{error}</p>}
    </PageHeader>
  );
  return <AlbumGrid albums={albums} header={header} label={artist ? `Artist: ${artist.name}` : 'Artist'} />;
}
