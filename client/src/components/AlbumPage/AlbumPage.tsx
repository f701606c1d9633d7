import { useApp } from '../../state/context.js';
import { formatTime } from '../../state/format.js';
import { useLibraryDetail } from '../../state/use-library-detail.js';
import { Cover } from '../Cover/Cover.js';
import { Icon } from '../Icon/Icon.js';
import { PageHeader } from '../PageHeader/PageHeader.js';
import { TrackList } from '../TrackList/TrackList.js';
import styles from './AlbumPage.module.css';

/** One album: its cover, details and Share button, then its tracks in disc/track order. */
export function AlbumPage({ id }: { id: string }) {
  const { library, shareTarget, rowMenu } = useApp();
  const { data: detail, error } = useLibraryDetail(library.album, id, 'This album could not be loaded.');

  const album = detail?.album ?? library.albums.value.find((a) => a.id === id);
  const tracks = detail?.tracks ?? [];
  const header = (
    <PageHeader>
      <div class={styles.top}>
        <Cover url={album?.coverUrl ?? null} title={album?.title ?? ''} size={512} class={styles.cover} />
        <div class={styles.info}>
          <h1 class={styles.title}>{album?.title ?? ''}</h1>
          <p class={styles.artist}>{album?.artist}</p>
          {album && (
            <p class={styles.meta}>
              {[album.year, `${album.trackCount} ${album.trackCount === 1 ? 'track' : 'tracks'}`, album.duration ? formatTime(album.duration) : null]
                .filter(Boolean)
                .join(' · ')}
            </p>
          )}
          {album && (
            <button type="button" class={styles.share} onClick={() => (shareTarget.value = { type: 'album', id: album.id, title: album.title })}>
              <Icon name="share" size={20} />
              <span>Share</span>
            </button>
          )}
          {album && tracks.length > 0 && (
            <button type="button" class={styles.share} onClick={() => (rowMenu.value = { tracks, title: album.title, addOnly: true })}>
              <Icon name="playlist" size={20} />
              <span>Add all to playlist</span>
            </button>
          )}
          {error && <p role="alert">{error}</p>}
        </div>
      </div>
    </PageHeader>
  );
  return <TrackList tracks={tracks} numbered header={header} label={album ? `Album: ${album.title}` : 'Album'} />;
}
