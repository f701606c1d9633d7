import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Track } from '@musicsharer/shared';
import { useApp } from '../../state/context.js';
import type { PlayerModel } from '../../state/player.js';
import { failureText, playlistsFor } from '../../state/playlists.js';
import sheet from '../../styles/sheet.module.css';
import styles from './RowMenu.module.css';

/** The menu's queue actions: label, what the toast says, what it does. */
const QUEUE_ACTIONS: [string, string, (player: PlayerModel, tracks: Track[]) => void][] = [
  ['Play next', 'Plays next', (player, tracks) => player.playNext(tracks)],
  ['Add to queue', 'Added to the queue', (player, tracks) => player.addToQueue(tracks)],
];

const count = (tracks: readonly Track[]) => (tracks.length === 1 ? '' : ` (${tracks.length} tracks)`);

/** A name field and Create: making a playlist from the menu, or from the Playlists screen. */
export function NameForm({ label, initial = '', submit, onCancel }: { label: string; initial?: string; submit: (name: string) => Promise<unknown>; onCancel: () => void }) {
  const [name, setName] = useState(initial);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus(), []);
  return (
    <form
      class={styles.form}
      onSubmit={(event) => {
        event.preventDefault();
        if (!name.trim() || busy) return;
        setBusy(true);
        submit(name.trim()).finally(() => setBusy(false));
      }}
    >
      <input ref={field} class={styles.input} type="text" aria-label={label} placeholder="Playlist name" maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <button type="submit" class={styles.primary} disabled={busy || !name.trim()}>
        {initial ? 'Save' : 'Create'}
      </button>
      <button type="button" class={styles.secondary} onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

/**
 * The track menu, one for the whole app (a row's "…" or long press, an album's "Add all to
 * playlist"): Play next, Add to queue, Add to playlist (one of yours, or a new one).
 */
export function RowMenu() {
  const app = useApp();
  const { rowMenu, player, notify } = app;
  const target = rowMenu.value;
  const playlists = useMemo(() => playlistsFor(app), [app]);
  const [picking, setPicking] = useState(false);
  const [naming, setNaming] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const close = () => (rowMenu.value = null);

  useEffect(() => {
    panel.current?.focus();
    void playlists.refresh();
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && (rowMenu.value = null);
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [rowMenu, playlists]);

  if (!target) return null;
  const { tracks } = target;
  const choosing = picking || target.addOnly;

  async function addTo(id: string, name: string) {
    close();
    try {
      await playlists.add(id, tracks);
      notify(`Added to “${name}”${count(tracks)}`);
    } catch {
      // The model has said what went wrong.
    }
  }

  async function createWith(name: string) {
    try {
      await playlists.create(name, tracks.map((t) => t.id));
      close();
      notify(`Added to “${name}”${count(tracks)}`);
    } catch (error) {
      notify(failureText(error));
    }
  }

  return (
    <div class={sheet.backdrop} onClick={(event) => event.target === event.currentTarget && close()}>
      <div ref={panel} class={sheet.sheet} role="dialog" aria-modal="true" aria-labelledby="row-menu-title" tabIndex={-1}>
        <h2 id="row-menu-title" class={styles.title}>
          {choosing ? `Add “${target.title}” to a playlist` : target.title}
        </h2>
        {!choosing ? (
          <div class={styles.actions}>
            {QUEUE_ACTIONS.map(([label, done, act]) => (
              <button
                key={label}
                type="button"
                class={styles.item}
                onClick={() => {
                  act(player, tracks);
                  close();
                  notify(done);
                }}
              >
                {label}
              </button>
            ))}
            <button type="button" class={styles.item} onClick={() => setPicking(true)}>
              Add to playlist…
            </button>
            <button type="button" class={styles.secondary} onClick={close}>
              Cancel
            </button>
          </div>
        ) : naming ? (
          <NameForm label="New playlist name" submit={createWith} onCancel={() => setNaming(false)} />
        ) : (
          <div class={styles.actions}>
            <button type="button" class={styles.item} onClick={() => setNaming(true)}>
              New playlist…
            </button>
            {playlists.editable.value.map((p) => (
              <button key={p.id} type="button" class={styles.item} data-playlist-id={p.id} onClick={() => void addTo(p.id, p.name)}>
                {p.name}
              </button>
            ))}
            {playlists.status.value === 'loading' && <p class={styles.hint}>Loading playlists…</p>}
            <button type="button" class={styles.secondary} onClick={close}>
              Cancel
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
