/**
 * Playlists (issue 14): the user's, kept in `<data>/playlists/` (playlists/store.ts), beside the
 * library's playlist files (library/playlist-files.ts). Decorates `app.playlists`: the store,
 * a lookup over both kinds, and `changed()`, which tells every device (`{ type: 'playlists' }`
 * on the now-playing socket) so they refetch. The routes are routes/playlists.ts.
 */
import type { ServerMessage } from '@musicsharer/shared';
import fp from 'fastify-plugin';
import { join } from 'node:path';
import { PlaylistStore } from '../playlists/store.js';
import type { AnyPlaylist } from '../playlists/views.js';

export interface PlaylistsPluginOptions {
  /** Where `playlists/` lives. */
  dataDir: string;
}

export interface Playlists {
  store: PlaylistStore;
  /** The user's playlist or the library file with this id. */
  find(id: string): AnyPlaylist | undefined;
  /** The user's playlists by name, then the library's files by path. */
  list(): AnyPlaylist[];
  /** Tells every connected device that playlists changed. */
  changed(): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    playlists: Playlists;
  }
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
const CHANGED: ServerMessage = { type: 'playlists' };

export default fp<PlaylistsPluginOptions>(
  async (app, options) => {
    const store = await PlaylistStore.open(join(options.dataDir, 'playlists'), app.log);
    const files = app.library.playlistFiles;

    const playlists: Playlists = {
      store,
      find(id) {
        const own = store.get(id);
        if (own) return { kind: 'user', playlist: own };
        const file = files.get(id);
        return file && { kind: 'file', playlist: file };
      },
      list() {
        const own = store.list().sort((a, b) => collator.compare(a.name, b.name) || a.createdAt - b.createdAt);
        const inLibrary = files.list().sort((a, b) => collator.compare(a.path, b.path));
        return [...own.map((playlist) => ({ kind: 'user' as const, playlist })), ...inLibrary.map((playlist) => ({ kind: 'file' as const, playlist }))];
      },
      changed: () => app.nowPlaying.broadcast(CHANGED),
    };
    app.decorate('playlists', playlists);
    // A playlist file came, changed or went.
    app.library.on('playlists', () => playlists.changed());

    app.addHook('onClose', () => store.flush());
  },
  { name: 'musicsharer-playlists', fastify: '5.x', dependencies: ['musicsharer-library', 'musicsharer-now-playing'] },
);
