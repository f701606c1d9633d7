import type { Track } from '@musicsharer/shared';
import { useEffect } from 'preact/hooks';
import { useApp } from '../../state/context.js';
import { TrackList } from '../TrackList/TrackList.js';
import styles from './TracksView.module.css';

/** Every track in the library; tapping one plays the whole list from there. */
export function TracksView() {
  const { library, player } = useApp();
  useEffect(() => void library.ensureTracks(), [library]);
  /**
   * While only the first page is in, a tap plays at once (in the gesture, as iOS wants) from
   * what is there, and the queue gets the rest of the library when it arrives, unless the
   * user has started something else meanwhile.
   */
  const playFrom = (list: readonly Track[], i: number) => {
    player.playList(list, i);
    if (library.tracksStatus.peek() === 'ready') return;
    const queued = player.queue.peek();
    void library.ensureTracks().then(() => {
      if (player.queue.peek() === queued) player.appendToQueue(library.tracks.peek().slice(list.length));
    });
  };
  const status = library.tracksStatus.value;
  const tracks = library.tracks.value;
  if (status !== 'ready' && tracks.length === 0) {
    return (
      <p class={styles.note} role="status">
        {status === 'error' ? 'Tracks could not be loaded.' : 'Loading tracks…'}
      </p>
    );
  }
  if (tracks.length === 0) return <p class={styles.note}>No tracks yet.</p>;
  return <TrackList tracks={tracks} persistKey="tracks" label="All tracks" onPlay={playFrom} />;
}
