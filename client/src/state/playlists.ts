/**
 * Playlists (issue 14) from the client's side: the list, the open playlist with its version
 * (`ETag`), and every change as a whole-playlist `PUT` with `If-Match`. Loaded with the playlist
 * screens and the track menu, never with the app's first screen.
 *
 * - Entries are keyed by position: a track may be in a playlist twice.
 * - A change refused with 412 (another device changed the playlist first) refetches, tells the
 *   user, and is tried again on the fresh version only where that is safe (an add, a rename);
 *   a move or a removal by position is not (the positions may mean other tracks now).
 * - Delete waits out an undo window before it asks the server (a playlist made again would get a
 *   new id, and its share links would be dead).
 * - `{ type: 'playlists' }` and library changes (the app's `playlistsVersion`): refetch the list
 *   and the open playlist.
 */
import { batch, computed, effect, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import {
  apiPaths,
  type Playlist,
  type PlaylistDetailResponse,
  type PlaylistEntry,
  type PlaylistListResponse,
  type Track,
} from '@musicsharer/shared';
import { HttpError, getJson, sendJson, type Fetch } from './api.js';
import type { LoadStatus } from './library.js';

/** A playlist as last fetched or saved, with the version a change must name. */
export interface PlaylistDetail extends PlaylistDetailResponse {
  etag: string;
}

export const UNDO_MS = 5000;
export const CHANGED_ELSEWHERE = 'This playlist was changed on another device.';

export interface PlaylistsOptions {
  fetch: Fetch;
  /** Tells the user something (a toast), optionally with an action (Undo). */
  notify?: (text: string, action?: { label: string; run: () => void }, ms?: number) => void;
  /** Bumps when the server says playlists (or the library) changed. */
  version?: ReadonlySignal<number>;
  undoMs?: number;
}

export interface PlaylistsModel {
  /** Yours by name, then the library's files; one being deleted (its undo window open) left out. */
  list: ReadonlySignal<Playlist[]>;
  /** Only the user's own (what "Add to playlist" offers). */
  editable: ReadonlySignal<Playlist[]>;
  status: ReadonlySignal<LoadStatus>;
  /** The playlist page's playlist (null while loading), and why it could not be loaded. */
  open: ReadonlySignal<PlaylistDetail | null>;
  openError: ReadonlySignal<string | null>;
  /** A change is being saved: the page holds further moves until it is. */
  saving: ReadonlySignal<boolean>;

  refresh(): Promise<void>;
  /** Shows playlist `id` (null: none) and fetches it. */
  show(id: string | null): Promise<void>;
  create(name: string, trackIds?: string[]): Promise<Playlist>;
  rename(id: string, name: string): Promise<void>;
  add(id: string, tracks: readonly Track[]): Promise<void>;
  removeAt(id: string, index: number): Promise<void>;
  move(id: string, from: number, to: number): Promise<void>;
  /** Hides it now and deletes it after the undo window; returns undo. */
  remove(playlist: Playlist): () => void;
  /** Sends the deletes still in their undo window now (the page is going away). */
  flush(): void;
  /** "Save as my playlist": an editable copy of the tracks present. */
  saveAsMine(detail: PlaylistDetailResponse): Promise<Playlist>;
  dispose(): void;
}

/** Moves the entry at `from` to `to` (both positions in the list before the move). */
export function moved<T>(items: readonly T[], from: number, to: number): T[] {
  const out = items.slice();
  const [item] = out.splice(from, 1);
  if (item !== undefined) out.splice(Math.max(0, Math.min(to, out.length)), 0, item);
  return out;
}

/** The tracks a playlist plays: the entries present, in order (missing ones skipped). */
export function playable(entries: readonly PlaylistEntry[]): Track[] {
  return entries.flatMap((entry) => (entry.track ? [entry.track] : []));
}

/** Where entry `index` sits among the tracks that play (-1: it is missing). */
export function playableIndex(entries: readonly PlaylistEntry[], index: number): number {
  if (!entries[index]?.track) return -1;
  return playable(entries.slice(0, index)).length;
}

const entryOf = (track: Track): PlaylistEntry => ({ id: track.id, track, title: track.title, artist: track.artist });

/** The text of a failed change, for the toast. */
export function failureText(error: unknown): string {
  if (!(error instanceof HttpError)) return 'Could not reach musicsharer. Try again.';
  switch (error.status) {
    case 404:
      return 'This playlist no longer exists.';
    case 405:
      return 'Playlists from the music folder cannot be changed.';
    case 409:
      return 'You have too many playlists (1,000 at most).';
    case 413:
      return 'A playlist holds at most 10,000 tracks.';
    case 400:
      return 'That name will not do: 1 to 200 characters.';
    default:
      return `Not saved (HTTP ${error.status}).`;
  }
}

export function createPlaylists(options: PlaylistsOptions): PlaylistsModel {
  const { fetch: fetchFn, notify = () => {}, undoMs = UNDO_MS } = options;
  const all = signal<Playlist[]>([]);
  const hidden = signal<ReadonlySet<string>>(new Set());
  const list = computed(() => all.value.filter((p) => !hidden.value.has(p.id)));
  const editable = computed(() => list.value.filter((p) => !p.readOnly));
  const status = signal<LoadStatus>('idle');
  const open: Signal<PlaylistDetail | null> = signal(null);
  const openError = signal<string | null>(null);
  const saving = signal(false);
  let openId: string | null = null;
  /** Deletes waiting out their undo window. */
  const pendingDeletes = new Set<() => Promise<void>>();
  /** Changes go one at a time: each names the version the previous one produced. */
  let chain: Promise<unknown> = Promise.resolve();

  async function detailOf(response: Response, url: string): Promise<PlaylistDetail> {
    if (!response.ok) throw new HttpError(url, response.status);
    const body = (await response.json()) as PlaylistDetailResponse;
    return { ...body, etag: response.headers.get('etag') ?? '' };
  }

  async function fetchDetail(id: string): Promise<PlaylistDetail> {
    const url = apiPaths.playlist(id);
    return detailOf(await fetchFn(url, { headers: { accept: 'application/json' } }), url);
  }

  function put(detail: PlaylistDetail, name: string, entries: PlaylistEntry[]): Promise<Response> {
    return fetchFn(apiPaths.playlist(detail.playlist.id), {
      method: 'PUT',
      headers: { accept: 'application/json', 'content-type': 'application/json', 'if-match': detail.etag },
      body: JSON.stringify({ name, trackIds: entries.map((e) => e.id) }),
    });
  }

  /** The open playlist becomes `detail` (when it is the one shown), and its line in the list follows. */
  function publish(detail: PlaylistDetail) {
    batch(() => {
      if (openId === detail.playlist.id) open.value = detail;
      all.value = all.peek().map((p) => (p.id === detail.playlist.id ? detail.playlist : p));
    });
  }

  async function refresh() {
    if (status.peek() !== 'ready') status.value = 'loading';
    try {
      const { playlists } = await getJson<PlaylistListResponse>(fetchFn, apiPaths.playlists);
      batch(() => {
        all.value = playlists;
        status.value = 'ready';
      });
    } catch {
      if (status.peek() !== 'ready') status.value = 'error';
    }
  }

  async function reloadOpen() {
    const id = openId;
    if (!id) return;
    try {
      const detail = await fetchDetail(id);
      if (openId === id) batch(() => ((open.value = detail), (openError.value = null)));
    } catch (error) {
      if (openId !== id) return;
      batch(() => {
        if (error instanceof HttpError && error.status === 404) open.value = null;
        openError.value = error instanceof HttpError && error.status === 404 ? 'This playlist no longer exists.' : 'This playlist could not be loaded.';
      });
    }
  }

  /**
   * One change of playlist `id`: `edit` makes the new name and entries from the current version;
   * the page shows them at once, then the server's answer. On 412: refetch, say so, and (when
   * `safe`) apply `edit` again to the fresh version.
   */
  function change(id: string, edit: (detail: PlaylistDetail) => { name: string; entries: PlaylistEntry[] }, safe: boolean): Promise<void> {
    const run = async () => {
      saving.value = true;
      try {
        let base = openId === id && open.peek()?.etag ? open.peek()! : await fetchDetail(id);
        for (let attempt = 0; ; attempt++) {
          const next = edit(base);
          if (openId === id) open.value = { ...base, playlist: { ...base.playlist, name: next.name }, tracks: next.entries };
          const response = await put(base, next.name, next.entries);
          if (response.status !== 412) {
            publish(await detailOf(response, apiPaths.playlist(id)));
            return;
          }
          base = await fetchDetail(id);
          publish(base);
          if (!safe || attempt > 0) {
            notify(`${CHANGED_ELSEWHERE} Here it is as it is now.`);
            return;
          }
          notify(CHANGED_ELSEWHERE);
        }
      } catch (error) {
        notify(failureText(error));
        if (openId === id) void reloadOpen();
        throw error;
      } finally {
        saving.value = false;
      }
    };
    const done = chain.then(run, run);
    chain = done.catch(() => {});
    return done;
  }

  async function create(name: string, trackIds?: string[]): Promise<Playlist> {
    const response = await sendJson(fetchFn, 'POST', apiPaths.playlists, trackIds ? { name, trackIds } : { name });
    if (!response.ok) throw new HttpError(apiPaths.playlists, response.status);
    const playlist = (await response.json()) as Playlist;
    // Shown at once; the socket's "playlists" brings the server's order.
    all.value = [...all.peek().filter((p) => p.id !== playlist.id), playlist];
    void refresh();
    return playlist;
  }

  const stopWatching = options.version
    ? effect(() => {
        if (options.version!.value === 0) return;
        void refresh();
        void reloadOpen();
      })
    : () => {};

  return {
    list,
    editable,
    status,
    open,
    openError,
    saving,
    refresh,
    async show(id) {
      if (openId === id) return reloadOpen();
      openId = id;
      batch(() => {
        open.value = null;
        openError.value = null;
      });
      await reloadOpen();
    },
    create,
    rename: (id, name) => change(id, (d) => ({ name, entries: d.tracks }), true),
    add: (id, tracks) => change(id, (d) => ({ name: d.playlist.name, entries: [...d.tracks, ...tracks.map(entryOf)] }), true),
    removeAt: (id, index) => change(id, (d) => ({ name: d.playlist.name, entries: d.tracks.filter((_, i) => i !== index) }), false),
    move: (id, from, to) => change(id, (d) => ({ name: d.playlist.name, entries: moved(d.tracks, from, to) }), false),
    remove(playlist) {
      const { id } = playlist;
      hidden.value = new Set([...hidden.peek(), id]);
      const unhide = () => {
        const next = new Set(hidden.peek());
        next.delete(id);
        hidden.value = next;
      };
      const send = async () => {
        clearTimeout(timer);
        pendingDeletes.delete(send);
        try {
          // No body, so no content type (Fastify refuses an empty JSON body); keepalive: it may
          // be sent as the page goes away (flush on pagehide).
          const response = await fetchFn(apiPaths.playlist(id), { method: 'DELETE', headers: { accept: 'application/json' }, keepalive: true });
          if (!response.ok && response.status !== 404) throw new HttpError(apiPaths.playlist(id), response.status);
          all.value = all.peek().filter((p) => p.id !== id);
        } catch (error) {
          notify(`“${playlist.name}” was not deleted. ${failureText(error)}`);
        } finally {
          unhide();
        }
      };
      const timer = setTimeout(() => void send(), undoMs);
      pendingDeletes.add(send);
      return () => {
        clearTimeout(timer);
        pendingDeletes.delete(send);
        unhide();
      };
    },
    flush() {
      for (const send of [...pendingDeletes]) void send();
    },
    saveAsMine: (detail) => create(detail.playlist.name, playable(detail.tracks).map((t) => t.id)),
    dispose() {
      stopWatching();
    },
  };
}

const models = new WeakMap<object, PlaylistsModel>();

/** The app's one playlists model (the screens and the track menu share it), made on first use. */
export function playlistsFor(app: { api: Fetch; notify: PlaylistsOptions['notify']; playlistsVersion: ReadonlySignal<number> }): PlaylistsModel {
  let model = models.get(app);
  if (!model) {
    model = createPlaylists({ fetch: app.api, notify: app.notify, version: app.playlistsVersion });
    models.set(app, model);
    // A delete whose Undo window is still open when the app is closed or put away still happens
    // (iOS may end a hidden home-screen app without a pagehide).
    const flush = model.flush;
    addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flush());
    void model.refresh();
  }
  return model;
}
