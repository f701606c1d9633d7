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

/** The long press under way (one finger, one row at a time), and whether it fired: the click after it is swallowed. */
let pressTimer: ReturnType<typeof setTimeout> | undefined;
let pressAt = [0, 0];
let pressFired = false;

/**
 * A long press on touch opens `open` (iOS Safari fires no `contextmenu` on a button); a right
 * click or Android's long press (`contextmenu`) too. Moving the finger (scrolling) cancels it.
 */
export function longPress(open: () => void) {
  const cancel = () => clearTimeout(pressTimer);
  return {
    onPointerDown(event: PointerEvent) {
      cancel();
      pressFired = false;
      if (event.pointerType === 'mouse') return;
      pressAt = [event.clientX, event.clientY];
      pressTimer = setTimeout(() => {
        pressFired = true;
        open();
      }, 500);
    },
    onPointerMove(event: PointerEvent) {
      if (Math.abs(event.clientX - pressAt[0]!) + Math.abs(event.clientY - pressAt[1]!) > 10) cancel();
    },
    onPointerUp: cancel,
    onPointerCancel: cancel,
    onContextMenu(event: Event) {
      event.preventDefault();
      cancel();
      open();
    },
  };
}

/** True once for the click that ends a long press. */
export function swallowClick(): boolean {
  const fired = pressFired;
  pressFired = false;
  return fired;
}

/**
 * A track row: a real button carrying the track's id (tapping plays `tracks` from here; a long
 * press opens its menu), beside it the track's Share button (opens the share sheet) and "…" (the
 * menu: Play next, Add to queue, Add to playlist). The menu is one component for the whole app,
 * rendered when opened: a row holds only its buttons.
 */
export function TrackRow({ track, current, numbered, onPlay }: { track: Track; current: boolean; numbered?: boolean; onPlay: () => void }) {
  const { shareTarget, rowMenu, playback, notify } = useApp();
  // A format this device cannot play, and a server that cannot convert it: a tap says why.
  const cannot = playback.value?.cannotPlayMessage(track);
  const detail = cannot ? 'Cannot play on this device' : numbered ? track.artist : [track.artist, track.album].filter(Boolean).join(' · ');
  const menu = () => (rowMenu.value = { tracks: [track], title: track.title });
  const play = () => (cannot ? notify(cannot, undefined, 8000) : onPlay());
  return (
    <div class={styles.item}>
      <button
        type="button"
        class={styles.row}
        data-track-id={track.id}
        aria-current={current ? 'true' : undefined}
        data-unplayable={cannot ? '' : undefined}
        onClick={() => swallowClick() || play()}
        {...longPress(menu)}
      >
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
      <button type="button" class={styles.share} aria-label={`More for ${track.title}`} onClick={menu}>
        <Icon name="more" size={20} />
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
