import { useApp } from '../../state/context.js';
import { VirtualList } from '../VirtualList/VirtualList.js';
import styles from './Queue.module.css';

const ROW = 56;

/** What plays next. Rows jump there; they carry data-queue-index (not data-track-id, which marks library rows). */
export function Queue() {
  const { player } = useApp();
  const queue = player.queue.value;
  const index = player.index.value;
  if (queue.length === 0) return <p class={styles.empty}>The queue is empty.</p>;
  return (
    <div class={styles.box}>
      <h2 class={styles.heading}>Up next</h2>
      <VirtualList
        count={queue.length}
        rowHeight={ROW}
        label="Queue"
        initialScrollTop={Math.max(0, index - 1) * ROW}
        renderRow={(i) => {
          const track = queue[i]!;
          return (
            <button type="button" class={styles.row} data-queue-index={i} aria-current={i === index ? 'true' : undefined} onClick={() => player.playAt(i)}>
              <span class={styles.title}>{track.title}</span>
              <span class={styles.artist}>{track.artist ?? ''}</span>
            </button>
          );
        }}
      />
    </div>
  );
}
