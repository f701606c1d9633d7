/**
 * Library records as the API returns them. A public contract: tools and tests rely on these
 * shapes. The types are derived from the schemas in schemas.ts (the field docs live there); the
 * import is type-only, so importing this module costs the client bundle nothing.
 */
import type { Static } from 'typebox';
import type * as Schemas from './schemas.js';

export type Track = Static<typeof Schemas.TrackSchema>;
export type Album = Static<typeof Schemas.AlbumSchema>;
export type Artist = Static<typeof Schemas.ArtistSchema>;
export type TrackListResponse = Static<typeof Schemas.TrackListSchema>;
export type AlbumListResponse = Static<typeof Schemas.AlbumListSchema>;
export type AlbumDetailResponse = Static<typeof Schemas.AlbumDetailSchema>;
export type ArtistListResponse = Static<typeof Schemas.ArtistListSchema>;
export type ArtistDetailResponse = Static<typeof Schemas.ArtistDetailSchema>;
export type ErrorResponse = Static<typeof Schemas.ErrorSchema>;
export type ScanStatus = Static<typeof Schemas.ScanStatusSchema>;
export type UnplayableList = Static<typeof Schemas.UnplayableListSchema>;

/** The cover thumbnail sizes the server makes (`/cover/:albumId?size=N`), in pixels: one list for both sides. */
export const COVER_SIZES = [96, 256, 512] as const;
export type CoverSize = (typeof COVER_SIZES)[number];

/** URL builders: the only place the client and server agree on paths. */
export const apiPaths = {
  tracks: '/api/tracks',
  track: (id: string) => `/api/tracks/${encodeURIComponent(id)}`,
  albums: '/api/albums',
  album: (id: string) => `/api/albums/${encodeURIComponent(id)}`,
  artists: '/api/artists',
  artist: (id: string) => `/api/artists/${encodeURIComponent(id)}`,
  scan: '/api/scan',
  /** Files that are not tracks, with the reason (corrupt, a name that is not UTF-8). */
  unplayable: '/api/unplayable',
  /** Range-aware; `transcodedUrl()` (transcode.ts) adds `?format=mp3`. */
  stream: (id: string) => `/stream/${encodeURIComponent(id)}`,
  /** GET (session): can the server transcode, at which bitrates (`TranscodingStatus`). */
  transcoding: '/api/transcoding',
  cover: (albumId: string) => `/cover/${encodeURIComponent(albumId)}`,
  nowPlayingSocket: '/ws',
  /** Pairing link (public): a browser that opens it gets a session. */
  pairLink: (token: string) => `/pair/${token}`,
  /** POST { code } (public): pair with a 6-digit code. */
  pair: '/api/pair',
  /** POST (session): a fresh code and link for another device. */
  pairCodes: '/api/pair-codes',
  /** POST { password } (public): sign in with the password. */
  login: '/api/login',
  /** PUT { password } (session): set or change the password. */
  password: '/api/password',
  /** GET: access control on or off, and the asking session. */
  session: '/api/session',
  /** GET (session): every session; DELETE `sessions/:id` revokes one. */
  sessions: '/api/sessions',
  sessionById: (id: string) => `/api/sessions/${encodeURIComponent(id)}`,
  /** GET (list), POST (create) share links; PATCH/DELETE `shares/:id`. */
  shares: '/api/shares',
  shareById: (id: string) => `/api/shares/${encodeURIComponent(id)}`,
  /** The public share page and its media (no session). */
  sharePage: (id: string) => `/s/${id}`,
  shareStream: (id: string, trackId: string) => `/s/${id}/stream/${encodeURIComponent(trackId)}`,
  shareCover: (id: string) => `/s/${id}/cover`,
  shareDownload: (id: string) => `/s/${id}/download`,
  /** GET (list), POST (create) playlists. */
  playlists: '/api/playlists',
  /** GET (with ETag), PUT (If-Match), DELETE one playlist. */
  playlist: (id: string) => `/api/playlists/${encodeURIComponent(id)}`,
  /** GET: the playlist as an `.m3u8` file (paths relative to the media folder). */
  playlistM3u8: (id: string) => `/api/playlists/${encodeURIComponent(id)}/m3u8`,
} as const;
