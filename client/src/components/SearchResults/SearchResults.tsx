import type { Album, Artist } from '@musicsharer/shared';
import { useApp } from '../../state/context.js';
import { Cover } from '../Cover/Cover.js';
import { TRACK_ROW_HEIGHT, TrackRow } from '../TrackList/TrackList.js';
import { VirtualList } from '../VirtualList/VirtualList.js';
import styles from './SearchResults.module.css';

function ArtistChip({ artist }: { artist: Artist }) {
  const { navigation } = useApp();
  return (
    <button
      type="button"
      class={styles.chip}
      data-artist-id={artist.id}
      onClick={() => navigation.open({ name: 'artist', id: artist.id })}
    >
      {artist.name}
    </button>
  );
}

function AlbumTile({ album }: { album: Album }) {
  const { navigation } = useApp();
  return (
    <button
      type="button"
      class={styles.album}
      data-album-id={album.id}
      onClick={() => navigation.open({ name: 'album', id: album.id })}
    >
      <Cover url={album.coverUrl} title={album.title} size={256} />
      <span class={styles.title}>{album.title}</span>
      <span class={styles.detail}>{album.artist}</span>
    </button>
  );
}

/**
 * Matching artists and albums in two short rows that scroll sideways, then every matching
 * song as a virtualized list: the songs start on the first screen however broad the query.
 */
export function SearchResults() {
  const { search, library, player } = useApp();
  const { artists, albums, tracks } = search.results.value;
  const pending = search.query.value !== search.settled.value;
  const loadingTracks = library.tracksStatus.value !== 'ready';
  const currentId = player.current.value?.id;

  if (artists.length + albums.length + tracks.length === 0) {
    return (
      <p class={styles.note} role="status">
        {pending || loadingTracks ? 'Searching…' : `Nothing matches “${search.settled.value.trim()}”.`}
      </p>
    );
  }

  const header = (
    <>
      {artists.length > 0 && (
        <section aria-label="Matching artists">
          <h2 class={styles.heading}>Artists</h2>
          <div class={styles.strip}>
            {artists.map((artist) => (
              <ArtistChip key={artist.id} artist={artist} />
            ))}
          </div>
        </section>
      )}
      {albums.length > 0 && (
        <section aria-label="Matching albums">
          <h2 class={styles.heading}>Albums</h2>
          <div class={styles.strip}>
            {albums.map((album) => (
              <AlbumTile key={album.id} album={album} />
            ))}
          </div>
        </section>
      )}
      <h2 class={styles.heading}>Songs</h2>
      {tracks.length === 0 && <p class={styles.none}>{loadingTracks ? 'Loading songs…' : 'No songs match.'}</p>}
    </>
  );

  return (
    <VirtualList
      key={search.settled.value}
      count={tracks.length}
      rowHeight={TRACK_ROW_HEIGHT}
      header={header}
      label="Search results"
      renderRow={(i) => {
        const track = tracks[i]!;
        return <TrackRow track={track} current={track.id === currentId} onPlay={() => player.playList(tracks, i)} />;
      }}
    />
  );
}
