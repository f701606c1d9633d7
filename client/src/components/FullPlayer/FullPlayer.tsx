import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../../state/context.js';
import { formatTime } from '../../state/format.js';
import { Cover } from '../Cover/Cover.js';
import { Icon } from '../Icon/Icon.js';
import { Queue } from '../Queue/Queue.js';
import styles from './FullPlayer.module.css';

/** The seek slider: its value is seconds. Dragging only moves the thumb; letting go seeks. */
export function SeekBar() {
  const { player } = useApp();
  const [scrub, setScrub] = useState<number | null>(null);
  const duration = player.duration.value;
  const max = Math.floor(duration);
  const position = scrub ?? Math.min(player.time.value, duration || Infinity);
  // A new track ends any scrub in progress.
  const trackId = player.current.value?.id;
  useEffect(() => setScrub(null), [trackId]);
  return (
    <div class={styles.seek}>
      <input
        class={styles.range}
        type="range"
        aria-label="Seek"
        min={0}
        max={max > 0 ? max : 0}
        step={1}
        value={Math.floor(position)}
        aria-valuetext={`${formatTime(position)} of ${formatTime(duration)}`}
        disabled={!trackId}
        style={{ '--fill': max > 0 ? `${(Math.min(position, max) / max) * 100}%` : '0%' }}
        onInput={(e) => setScrub(Number(e.currentTarget.value))}
        onChange={(e) => {
          player.seek(Number(e.currentTarget.value));
          setScrub(null);
        }}
      />
      <div class={styles.times}>
        <span data-testid="elapsed">{formatTime(position)}</span>
        <span data-testid="total">{formatTime(duration)}</span>
      </div>
    </div>
  );
}

/** The full-screen player: cover (or the queue), seek, previous/play/next, shuffle, repeat. */
export function FullPlayer() {
  const { player, playerOpen, queueOpen } = useApp();
  const track = player.current.value;
  const paused = player.paused.value;
  const repeat = player.repeat.value;
  const close = () => {
    playerOpen.value = false;
    queueOpen.value = false;
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
    // `close` only sets the two signals, so the first render's copy serves for the sheet's life.
  }, []);

  return (
    <div class={styles.sheet} role="dialog" aria-modal="true" aria-label="Player">
      <div class={styles.top}>
        <button type="button" class={styles.icon} aria-label="Close player" onClick={close}>
          <Icon name="down" size={30} />
        </button>
        <button
          type="button"
          class={styles.icon}
          aria-label="Queue"
          aria-pressed={queueOpen.value}
          onClick={() => (queueOpen.value = !queueOpen.value)}
        >
          <Icon name="queue" />
        </button>
      </div>
      <div class={styles.middle}>
        {queueOpen.value ? (
          <Queue />
        ) : (
          <Cover url={track?.coverUrl ?? null} title={track?.album ?? track?.title ?? '♪'} size={512} class={styles.cover} />
        )}
      </div>
      <div class={styles.info}>
        <h2 class={styles.title} data-testid="now-title">
          {track?.title ?? 'Not playing'}
        </h2>
        <p class={styles.artist}>{[track?.artist, track?.album].filter(Boolean).join(' — ')}</p>
        {player.error.value && <p role="alert">{player.error.value}</p>}
      </div>
      <SeekBar />
      <div class={styles.controls}>
        <button type="button" class={styles.icon} aria-label="Shuffle" aria-pressed={player.shuffle.value} onClick={() => player.toggleShuffle()}>
          <Icon name="shuffle" />
        </button>
        <button type="button" class={styles.big} aria-label="Previous track" disabled={!track} onClick={() => player.previous()}>
          <Icon name="previous" size={36} />
        </button>
        <button type="button" class={styles.play} aria-label={paused ? 'Play' : 'Pause'} disabled={!track} onClick={() => player.toggle()}>
          <Icon name={paused ? 'play' : 'pause'} size={40} />
        </button>
        <button type="button" class={styles.big} aria-label="Next track" disabled={!track} onClick={() => player.next()}>
          <Icon name="next" size={36} />
        </button>
        <button
          type="button"
          class={styles.icon}
          aria-label="Repeat"
          aria-pressed={repeat !== 'off'}
          data-mode={repeat}
          title={repeat === 'one' ? 'Repeat one' : repeat === 'all' ? 'Repeat all' : 'Repeat off'}
          onClick={() => player.cycleRepeat()}
        >
          <Icon name="repeat" />
          {repeat === 'one' && <span class={styles.one} aria-hidden="true">1</span>}
        </button>
      </div>
    </div>
  );
}
