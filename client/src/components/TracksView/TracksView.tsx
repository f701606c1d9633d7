import { useEffect } from 'preact/hooks';
import { useApp } from '../../state/context.js';
import { TrackList } from '../TrackList/TrackList.js';
import styles from './TracksView.module.css';

/** Every track in the library; tapping one plays the whole list from there. */
export function TracksView() {
  const { library } = useApp();
  useEffect(() => void library.ensureTracks(), [library]);
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
  return <TrackList tracks={tracks} persistKey="tracks" label="All tracks" />;
}
