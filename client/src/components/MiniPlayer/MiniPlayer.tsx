import { useApp } from '../../state/context.js';
import { Cover } from '../Cover/Cover.js';
import { Icon } from '../Icon/Icon.js';
import styles from './MiniPlayer.module.css';

/** The bar above the tabs: what plays, play/pause and next, always in reach of the thumb. */
export function MiniPlayer() {
  const { player, playerOpen } = useApp();
  const track = player.current.value;
  const paused = player.paused.value;
  const duration = player.duration.value;
  const progress = duration > 0 ? Math.min(1, player.time.value / duration) : 0;
  const error = player.error.value;
  return (
    <div class={styles.bar} role="region" aria-label="Now playing">
      <div class={styles.progress} style={{ transform: `scaleX(${progress})` }} aria-hidden="true" />
      <button type="button" class={styles.open} aria-label="Open player" onClick={() => (playerOpen.value = true)}>
        <Cover url={track?.coverUrl ?? null} title={track?.album ?? track?.title ?? '♪'} size={96} class={styles.cover} />
        <span class={styles.text}>
          <span class={styles.title} data-testid="now-title">
            {track?.title ?? 'Not playing'}
          </span>
          <span class={styles.artist}>{error ?? track?.artist ?? ''}</span>
        </span>
      </button>
      <button type="button" class={styles.control} aria-label={paused ? 'Play' : 'Pause'} disabled={!track} onClick={() => player.toggle()}>
        <Icon name={paused ? 'play' : 'pause'} size={30} />
      </button>
      <button type="button" class={styles.control} aria-label="Next track" disabled={!track} onClick={() => player.next()}>
        <Icon name="next" size={28} />
      </button>
    </div>
  );
}
