/**
 * Playlists as the API shows them (issue 14). Types derived from schemas.ts (type-only import:
 * nothing of TypeBox reaches a bundle).
 *
 * - The user's playlists: kept by the server, the same on every device. `PUT` replaces the
 *   whole playlist (name and order of ids) and needs `If-Match` with the `ETag` of the last
 *   `GET` (412: someone else changed it first, refetch; 428: no `If-Match`).
 * - Playlist files in the library (`.m3u`, `.m3u8`, `.pls`): `readOnly`, with their `path`.
 *   "Save as my playlist" is `POST /api/playlists { name, trackIds }` with the ids of the entries
 *   whose `track` is not null (a create accepts only tracks of the library).
 * - An entry whose `track` is null is missing: greyed, skipped by the player; it comes back when
 *   its file does. Entries are keyed by position: the same track may appear twice.
 * - `{ "type": "playlists" }` on the now-playing socket: a playlist was made, changed or deleted
 *   (or a playlist file changed): refetch the list, and the open playlist.
 */
import type { Static } from 'typebox';
import type * as Schemas from './schemas.js';

export type Playlist = Static<typeof Schemas.PlaylistSchema>;
export type PlaylistListResponse = Static<typeof Schemas.PlaylistListSchema>;
export type PlaylistEntry = Static<typeof Schemas.PlaylistEntrySchema>;
export type PlaylistDetailResponse = Static<typeof Schemas.PlaylistDetailSchema>;
export type PlaylistCreateRequest = Static<typeof Schemas.PlaylistCreateSchema>;
export type PlaylistReplaceRequest = Static<typeof Schemas.PlaylistReplaceSchema>;
export type PlaylistError = Static<typeof Schemas.PlaylistErrorSchema>;

/** Longest name, in characters (code points) after trimming; an empty name is refused too. */
export const MAX_PLAYLIST_NAME = 200;
/** Entries in one playlist; more answers 413. */
export const MAX_PLAYLIST_TRACKS = 10_000;
/** The user's playlists at once; one more answers 409. */
export const MAX_PLAYLISTS = 1000;
/** Playlist files the library lists as read-only playlists. */
export const PLAYLIST_FILE_EXTENSIONS = ['.m3u', '.m3u8', '.pls'] as const;
