import type { ComponentChildren } from 'preact';
import type { Track } from '@musicsharer/shared';
import { useApp } from '../../state/context.js';
import { formatTime } from '../../state/format.js';
import { Icon } from '../Icon/Icon.js';
import { VirtualList } from '../VirtualList/VirtualList.js';
import styles from './TrackList.module.css';

export const TRACK_ROW_HEIGHT = 60;

export interface TrackListProps {
  tracks: readonly Track[];
  /** Show disc/track numbers (album page) instead of the album name. */
  numbered?: boolean;
  header?: ComponentChildren;
  persistKey?: string;
  label?: string;
  /** What a tap on row `i` does; default: play `tracks` from there. */
  onPlay?: (tracks: readonly Track[], i: number) => void;
}

/**
 * A track row: a real button carrying the track's id (tapping plays `tracks` from here), and
 * beside it the track's Share button (opens the share sheet).
 */
export function TrackRow({ track, current, numbered, onPlay }: { track: Track; current: boolean; numbered?: boolean; onPlay: () => void }) {
  const { shareTarget } = useApp();
  const detail = numbered ? track.artist : [track.artist, track.album].filter(Boolean).join(' · ');
  return (
    <div class={styles.item}>
      <button type="button" class={styles.row} data-track-id={track.id} aria-current={current ? 'true' : undefined} onClick={onPlay}>
        {numbered && <span class={styles.number}>{track.trackNo ?? ''}</span>}
        <span class={styles.text}>
          <span class={styles.title}>{track.title}</span>
          {detail && <span class={styles.detail}>{detail}</span>}
        </span>
        <span class={styles.time}>{track.duration ? formatTime(track.duration) : ''}</span>
      </button>
      <button
        type="button"
        class={styles.share}
        aria-label={`Share ${track.title}`}
        onClick={() => (shareTarget.value = { type: 'track', id: track.id, title: track.title })}
      >
        <Icon name="share" size={20} />
      </button>
    </div>
  );
}

/** All of `tracks`, virtualized; tapping a row plays the list from that row. */
export function TrackList({ tracks, numbered, header, persistKey, label, onPlay }: TrackListProps) {
  const { player } = useApp();
  const playFrom = onPlay ?? ((list: readonly Track[], i: number) => player.playList(list, i));
  const currentId = player.current.value?.id;
  return (
    <VirtualList
      count={tracks.length}
      rowHeight={TRACK_ROW_HEIGHT}
      header={header}
      persistKey={persistKey}
      label={label}
      renderRow={(i) => {
        const track = tracks[i]!;
        return <TrackRow track={track} numbered={numbered} current={track.id === currentId} onPlay={() => playFrom(tracks, i)} />;
      }}
    />
  );
}
