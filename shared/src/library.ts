/** Library records as the API returns them. A public contract: tools and tests rely on these shapes. */

export interface Track {
  /** Stable id: derived from the file's path relative to the media folder. */
  id: string;
  title: string;
  artist: string | null;
  album: string | null;
  albumArtist: string | null;
  trackNo: number | null;
  discNo: number | null;
  year: number | null;
  genre: string | null;
  /** Seconds, or null when unknown. */
  duration: number | null;
  codec: string | null;
  /** Bits per second, or null when unknown. */
  bitrate: number | null;
  /** Relative to the media folder, with `/` separators. */
  path: string;
  /** The track's stream URL (Range-aware). */
  url: string;
  mimeType: string;
  albumId: string;
  artistId: string;
  /** URL of the album's cover (append `?size=N` for a thumbnail), or null when there is none. */
  coverUrl: string | null;
}

export interface Album {
  id: string;
  title: string;
  artist: string;
  artistId: string;
  year: number | null;
  trackCount: number;
  /** Seconds; sum of the known track durations. */
  duration: number;
  coverUrl: string | null;
}

export interface Artist {
  id: string;
  name: string;
  albumCount: number;
  trackCount: number;
}

export interface TrackListResponse {
  tracks: Track[];
  /** Total number of tracks in the library (before paging). */
  total: number;
}

export interface AlbumListResponse {
  albums: Album[];
}

export interface AlbumDetailResponse {
  album: Album;
  /** In disc, then track order. */
  tracks: Track[];
}

export interface ArtistListResponse {
  artists: Artist[];
}

export interface ArtistDetailResponse {
  artist: Artist;
  albums: Album[];
}

export interface ErrorResponse {
  statusCode: number;
  error: string;
  message: string;
}

export interface ScanStatus {
  scanning: boolean;
  /** Files looked at so far in the current (or last) scan. */
  done: number;
  /** Files found so far (grows while the walk goes on). */
  total: number;
  trackCount: number;
}

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
  stream: (id: string) => `/stream/${encodeURIComponent(id)}`,
  cover: (albumId: string) => `/cover/${encodeURIComponent(albumId)}`,
  nowPlayingSocket: '/ws',
} as const;
