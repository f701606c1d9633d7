import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Playlist } from '@musicsharer/shared';
import { useApp } from '../../state/context.js';
import { formatTime } from '../../state/format.js';
import { failureText, playable, playableIndex, playlistsFor, UNDO_MS } from '../../state/playlists.js';
import { PageHeader } from '../PageHeader/PageHeader.js';
import { NameForm } from '../RowMenu/RowMenu.js';
import { longPress, swallowClick, TRACK_ROW_HEIGHT } from '../TrackList/TrackList.js';
import { VirtualList } from '../VirtualList/VirtualList.js';
import rows from '../TrackList/TrackList.module.css';
import styles from './Playlists.module.css';

const tracksText = (n: number) => `${n} ${n === 1 ? 'track' : 'tracks'}`;

function summary(playlist: Playlist): string {
  return [tracksText(playlist.trackCount), playlist.duration ? formatTime(playlist.duration) : null, playlist.readOnly ? 'from the music folder' : null]
    .filter(Boolean)
    .join(' · ');
}

function usePlaylists() {
  const app = useApp();
  return useMemo(() => playlistsFor(app), [app]);
}

/** Your playlists, then the music folder's playlist files (read-only); New playlist. */
export function Playlists() {
  const { navigation, notify } = useApp();
  const model = usePlaylists();
  const [creating, setCreating] = useState(false);
  useEffect(() => void model.refresh(), [model]);
  const list = model.list.value;
  const status = model.status.value;

  async function create(name: string) {
    try {
      const playlist = await model.create(name);
      navigation.open({ name: 'playlist', id: playlist.id });
    } catch (error) {
      notify(failureText(error));
    }
  }

  return (
    <div class={styles.page} data-scroller>
      <div class={styles.top}>
        <h1 class={styles.heading}>Playlists</h1>
        {!creating && (
          <button type="button" class={styles.pill} onClick={() => setCreating(true)}>
            New playlist
          </button>
        )}
      </div>
      {creating && <NameForm label="New playlist name" submit={create} onCancel={() => setCreating(false)} />}
      {list.length === 0 ? (
        <p class={styles.note} role="status">
          {status === 'error' ? 'The playlists could not be loaded.' : status === 'ready' ? 'No playlists yet. Make one, then add tracks from any “…” menu.' : 'Loading…'}
        </p>
      ) : (
        <ul class={styles.list}>
          {list.map((playlist) => (
            <li key={playlist.id}>
              <button type="button" class={styles.playlist} data-playlist-id={playlist.id} onClick={() => navigation.open({ name: 'playlist', id: playlist.id })}>
                <span class={styles.name}>{playlist.name}</span>
                <span class={styles.meta}>{summary(playlist)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * One playlist: Play, Shuffle, Share; yours can be renamed, deleted (with Undo) and edited
 * (Edit: a drag handle per row, Move up / Move down for VoiceOver, Remove); a library file can
 * be saved as your own. Missing tracks are greyed and never play.
 */
export function PlaylistPage({ id }: { id: string }) {
  const { navigation, player, shareTarget, rowMenu, notify } = useApp();
  const model = usePlaylists();
  const [editing, setEditing] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [drag, setDrag] = useState<{ from: number; dy: number } | null>(null);
  const dragStart = useRef<{ from: number; y: number; dy: number } | null>(null);

  useEffect(() => {
    void model.show(id);
    return () => void model.show(null);
  }, [model, id]);

  const detail = model.open.value;
  const known = model.list.value.find((p) => p.id === id);
  const playlist = detail?.playlist ?? known;
  const entries = detail?.tracks ?? [];
  const tracks = useMemo(() => playable(entries), [entries]);
  const busy = model.saving.value;
  const currentId = player.current.value?.id;
  const error = model.openError.value;

  const move = (from: number, to: number) => void model.move(id, from, to).catch(() => {});

  function remove() {
    if (!playlist) return;
    const undo = model.remove(playlist);
    navigation.back();
    notify(`Deleted “${playlist.name}”`, { label: 'Undo', run: undo }, UNDO_MS);
  }

  async function saveAsMine() {
    if (!detail) return;
    try {
      const copy = await model.saveAsMine(detail);
      navigation.open({ name: 'playlist', id: copy.id });
      notify(`Saved as “${copy.name}”`);
    } catch (caught) {
      notify(failureText(caught));
    }
  }

  /** The drag handle: pointer events (touch, pen, mouse) with the pointer captured; the row follows the finger. */
  const handle = (i: number) => ({
    onPointerDown(event: PointerEvent) {
      if (busy) return;
      event.preventDefault();
      (event.currentTarget as Element).setPointerCapture?.(event.pointerId);
      dragStart.current = { from: i, y: event.clientY, dy: 0 };
      setDrag({ from: i, dy: 0 });
    },
    onPointerMove(event: PointerEvent) {
      const d = dragStart.current;
      if (!d) return;
      d.dy = event.clientY - d.y;
      setDrag({ from: d.from, dy: d.dy });
    },
    onPointerUp() {
      const d = dragStart.current;
      dragStart.current = null;
      setDrag(null);
      if (!d) return;
      const to = Math.max(0, Math.min(entries.length - 1, d.from + Math.round(d.dy / TRACK_ROW_HEIGHT)));
      if (to !== d.from) move(d.from, to);
    },
    onPointerCancel() {
      dragStart.current = null;
      setDrag(null);
    },
  });

  const target = drag && Math.max(0, Math.min(entries.length - 1, drag.from + Math.round(drag.dy / TRACK_ROW_HEIGHT)));
  /** Where row `i` is drawn while another is dragged: out of the way of the gap. */
  function offset(i: number): number {
    if (!drag || target === null) return 0;
    if (i === drag.from) return drag.dy;
    if (drag.from < i && i <= target) return -TRACK_ROW_HEIGHT;
    if (target <= i && i < drag.from) return TRACK_ROW_HEIGHT;
    return 0;
  }

  const header = (
    <PageHeader>
      <h1 class={styles.title}>{playlist?.name ?? ''}</h1>
      {playlist && <p class={styles.meta}>{playlist.readOnly && playlist.path ? `${summary(playlist)}: ${playlist.path}` : summary(playlist)}</p>}
      {playlist && (
        <div class={styles.actions}>
          <button
            type="button"
            class={styles.primary}
            disabled={tracks.length === 0}
            onClick={() => {
              if (player.shuffle.peek()) player.toggleShuffle();
              player.playList(tracks, 0);
            }}
          >
            Play
          </button>
          <button
            type="button"
            class={styles.pill}
            disabled={tracks.length === 0}
            onClick={() => {
              if (!player.shuffle.peek()) player.toggleShuffle();
              player.playList(tracks, Math.floor(Math.random() * tracks.length));
            }}
          >
            Shuffle
          </button>
          <button type="button" class={styles.pill} onClick={() => (shareTarget.value = { type: 'playlist', id, title: playlist.name })}>
            Share
          </button>
          {playlist.readOnly ? (
            <button type="button" class={styles.pill} disabled={!detail} onClick={() => void saveAsMine()}>
              Save as my playlist
            </button>
          ) : (
            <>
              <button type="button" class={styles.pill} aria-pressed={editing} disabled={entries.length === 0 && !editing} onClick={() => setEditing(!editing)}>
                {editing ? 'Done' : 'Edit'}
              </button>
              <button type="button" class={styles.pill} onClick={() => setRenaming(true)}>
                Rename
              </button>
              <button type="button" class={styles.pill} onClick={remove}>
                Delete
              </button>
            </>
          )}
        </div>
      )}
      {renaming && playlist && (
        <NameForm
          label="Playlist name"
          initial={playlist.name}
          submit={(name) => model.rename(id, name).then(() => setRenaming(false), () => {})}
          onCancel={() => setRenaming(false)}
        />
      )}
      {error && <p role="alert">{error}</p>}
      {detail && entries.length === 0 && <p class={styles.note}>No tracks yet. Add some from any track’s “…” menu.</p>}
    </PageHeader>
  );

  return (
    <VirtualList
      count={entries.length}
      rowHeight={TRACK_ROW_HEIGHT}
      header={header}
      label={playlist ? `Playlist: ${playlist.name}` : 'Playlist'}
      renderRow={(i) => {
        const entry = entries[i]!;
        const track = entry.track;
        const shift = offset(i);
        const menu = () => track && (rowMenu.value = { tracks: [track], title: track.title });
        return (
          <div class={drag?.from === i ? `${rows.item} ${styles.lifted}` : rows.item} style={shift ? { transform: `translateY(${shift}px)` } : undefined}>
            {editing && (
              <span class={styles.handle} aria-hidden="true" {...handle(i)}>
                ≡
              </span>
            )}
            <button
              type="button"
              class={rows.row}
              data-track-id={entry.id}
              disabled={!track}
              data-missing={track ? undefined : ''}
              aria-current={track && track.id === currentId ? 'true' : undefined}
              onClick={() => swallowClick() || player.playList(tracks, playableIndex(entries, i))}
              {...(track && !editing ? longPress(menu) : {})}
            >
              <span class={rows.text}>
                <span class={rows.title}>{entry.title}</span>
                <span class={rows.detail}>{track ? [entry.artist, track.album].filter(Boolean).join(' · ') : 'Missing: not in the library now'}</span>
              </span>
              {!editing && <span class={rows.time}>{track?.duration ? formatTime(track.duration) : ''}</span>}
            </button>
            {editing ? (
              <>
                <button type="button" class={rows.share} aria-label={`Move “${entry.title}” up`} disabled={i === 0 || busy} onClick={() => move(i, i - 1)}>
                  ↑
                </button>
                <button type="button" class={rows.share} aria-label={`Move “${entry.title}” down`} disabled={i === entries.length - 1 || busy} onClick={() => move(i, i + 1)}>
                  ↓
                </button>
                <button type="button" class={rows.share} aria-label={`Remove “${entry.title}”`} disabled={busy} onClick={() => void model.removeAt(id, i).catch(() => {})}>
                  ✕
                </button>
              </>
            ) : (
              track && (
                <button type="button" class={rows.share} aria-label={`More for ${entry.title}`} onClick={menu}>
                  …
                </button>
              )
            )}
          </div>
        );
      }}
    />
  );
}
