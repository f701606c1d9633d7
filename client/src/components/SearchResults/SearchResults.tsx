import type { Artist } from '@musicsharer/shared';
import { useApp } from '../../state/context.js';
import { AlbumCard } from '../AlbumCard/AlbumCard.js';
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
              <AlbumCard key={album.id} album={album} class={styles.album} />
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
