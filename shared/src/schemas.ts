/**
 * The contract: JSON schemas (TypeBox) of the API and of the now-playing protocol. One definition
 * drives Fastify's validation and serialization, and the TypeScript types in library.ts and
 * protocol.ts are derived from it (`Static<typeof ...Schema>`, imported as types only, so the
 * client bundle never pulls TypeBox in). The doc comments on the fields show up on those types.
 */
import { Type } from 'typebox';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

// ---- The library API ----

export const TrackSchema = Type.Object({
  /** Stable id: derived from the file's path relative to the media folder. */
  id: Type.String(),
  title: Type.String(),
  artist: NullableString,
  album: NullableString,
  albumArtist: NullableString,
  trackNo: NullableInteger,
  discNo: NullableInteger,
  year: NullableInteger,
  genre: NullableString,
  /** Seconds, or null when unknown. */
  duration: NullableNumber,
  codec: NullableString,
  /** Bits per second, or null when unknown. */
  bitrate: NullableNumber,
  /** Relative to the media folder, with `/` separators. */
  path: Type.String(),
  /** The track's stream URL (Range-aware). */
  url: Type.String(),
  mimeType: Type.String(),
  albumId: Type.String(),
  artistId: Type.String(),
  /** URL of the album's cover (append `?size=N` for a thumbnail), or null when there is none. */
  coverUrl: NullableString,
});

export const AlbumSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  artist: Type.String(),
  artistId: Type.String(),
  year: NullableInteger,
  trackCount: Type.Integer(),
  /** Seconds; sum of the known track durations. */
  duration: Type.Number(),
  coverUrl: NullableString,
});

export const ArtistSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  albumCount: Type.Integer(),
  trackCount: Type.Integer(),
});

export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
});

/** Ids are short URL-safe strings; anything else is a 400 before a handler runs. */
export const IdParamsSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
});

export const PagingQuerySchema = Type.Object({
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
});

export const TrackListSchema = Type.Object({
  tracks: Type.Array(TrackSchema),
  /** Total number of tracks in the library (before paging). */
  total: Type.Integer(),
});
export const AlbumListSchema = Type.Object({ albums: Type.Array(AlbumSchema) });
export const AlbumDetailSchema = Type.Object({
  album: AlbumSchema,
  /** In disc, then track order. */
  tracks: Type.Array(TrackSchema),
});
export const ArtistListSchema = Type.Object({ artists: Type.Array(ArtistSchema) });
export const ArtistDetailSchema = Type.Object({ artist: ArtistSchema, albums: Type.Array(AlbumSchema) });
export const ScanStatusSchema = Type.Object({
  scanning: Type.Boolean(),
  /** Files looked at so far in the current (or last) scan. */
  done: Type.Integer(),
  /** Files found so far (grows while the walk goes on). */
  total: Type.Integer(),
  trackCount: Type.Integer(),
});

/** `GET /api/unplayable`: files in the music folder that are not tracks, and why. */
export const UnplayableListSchema = Type.Object({
  files: Type.Array(
    Type.Object({
      /** Relative to the media folder; bytes that are not UTF-8 show as U+FFFD. */
      path: Type.String(),
      reason: Type.String(),
    }),
  ),
  /** How many there are (the list stops at 500). */
  total: Type.Integer(),
});

/**
 * `GET /api/transcoding`: whether the server can make the MP3 form of a track. Finding ffmpeg
 * is done on the first ask (a fraction of a second), then remembered.
 */
export const TranscodingStatusSchema = Type.Object({
  /** ffmpeg works: `?format=mp3` answers. */
  available: Type.Boolean(),
  /** Why not (and how to fix it), or null when available. */
  reason: NullableString,
  /** kbit/s accepted in `&bitrate=` (TRANSCODE_BITRATES). */
  bitrates: Type.Array(Type.Integer()),
  /** kbit/s without `&bitrate=`. */
  defaultBitrate: Type.Integer(),
});

// ---- Access control: pairing, password, sessions ----

/** A 6-digit pairing code, as typed on the new device. */
export const PairRequestSchema = Type.Object({ code: Type.String({ minLength: 1, maxLength: 32 }) });
/** What `POST /api/pair-codes` answers: a code to type and a link to scan, both single-use. */
export const PairCodeSchema = Type.Object({
  /** Six digits. */
  code: Type.String(),
  /** Absolute URL of a pairing link (`/pair/<token>`) for a QR code. */
  url: Type.String(),
  /** ISO 8601; the code and the link stop working then (5 minutes after they were made). */
  expiresAt: Type.String(),
});
/** `POST /api/login`. At most 1,024 characters: scrypt's input stays bounded. */
export const PasswordRequestSchema = Type.Object({ password: Type.String({ maxLength: 1024 }) });
/** `PUT /api/password`: at least 10 characters (MIN_PASSWORD_LENGTH). */
export const NewPasswordRequestSchema = Type.Object({ password: Type.String({ minLength: 10, maxLength: 1024 }) });
export const SessionSchema = Type.Object({
  /** Public id of the session (not its token): `DELETE /api/sessions/:id`. */
  id: Type.String(),
  /** The device's name from its now-playing hello, else the browser's (e.g. "Safari on iPhone"). */
  name: Type.String(),
  /** ISO 8601. */
  createdAt: Type.String(),
  /** ISO 8601 of the last request with this session (renewed at most once a minute). */
  lastSeenAt: Type.String(),
  /** The client address of that request. */
  address: Type.String(),
  /** The session of the request that asked. */
  current: Type.Boolean(),
});
export const SessionListSchema = Type.Object({ sessions: Type.Array(SessionSchema) });
/** `GET /api/session`: whether access control is on and who is asking. */
export const SessionStatusSchema = Type.Object({
  /** false when the server runs with `--no-auth` (then `session` is null). */
  auth: Type.Boolean(),
  /** A password is set (`POST /api/login` can succeed). */
  passwordSet: Type.Boolean(),
  session: Type.Union([SessionSchema, Type.Null()]),
});

// ---- Share links ----

/** How long a share lasts: the presets the app offers (days), or null for never. */
export const ShareExpirySchema = Type.Union([Type.Literal(1), Type.Literal(7), Type.Literal(30), Type.Null()]);
/** `playlist`: one of the user's playlists or a library file; the page lists its tracks present at each visit. */
export const ShareTypeSchema = Type.Union([Type.Literal('album'), Type.Literal('track'), Type.Literal('playlist')]);
/** `POST /api/shares`. */
export const ShareCreateSchema = Type.Object({
  type: ShareTypeSchema,
  /** The album's, the track's or the playlist's id. */
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
  /** Default 7. */
  expiresInDays: Type.Optional(ShareExpirySchema),
  /** Let the visitor download the file (a track) or a ZIP (an album, a playlist). Default false. */
  download: Type.Optional(Type.Boolean()),
});
/** `PATCH /api/shares/:id`: a new expiry (counted from now) and/or the download switch. */
export const ShareUpdateSchema = Type.Object({
  expiresInDays: Type.Optional(ShareExpirySchema),
  download: Type.Optional(Type.Boolean()),
});
export const ShareSchema = Type.Object({
  /** At least 128 random bits, URL-safe: the link's last segment. */
  id: Type.String(),
  /** Absolute: `<public base>/s/<id>`. */
  url: Type.String(),
  type: ShareTypeSchema,
  targetId: Type.String(),
  /** The album's, track's or playlist's title when the share was made. */
  title: Type.String(),
  /** ISO 8601, or null: never. */
  expiresAt: NullableString,
  download: Type.Boolean(),
  /** Page loads of the link (not media requests). */
  visits: Type.Integer(),
  /** ISO 8601. */
  createdAt: Type.String(),
});
export const ShareListSchema = Type.Object({ shares: Type.Array(ShareSchema) });

/**
 * What the share page (`GET /s/:id`) hands its script, as JSON in
 * `<script type="application/json" id="share-data">`. Only what the page shows: nothing else
 * of the library.
 */
export const SharePageDataSchema = Type.Object({
  type: ShareTypeSchema,
  title: Type.String(),
  artist: NullableString,
  /** `/s/<id>/cover` (append `?size=96|256|512`), or null. */
  coverUrl: NullableString,
  /** `/s/<id>/download`, or null when downloads are off. */
  downloadUrl: NullableString,
  tracks: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      artist: NullableString,
      album: NullableString,
      trackNo: NullableInteger,
      /** Seconds, or null. */
      duration: NullableNumber,
      /** `/s/<id>/stream/<trackId>` (Range-aware; `?format=mp3` for the transcoded form). */
      url: Type.String(),
      mimeType: Type.String(),
      /** As in TrackSchema: the client's playability decision uses it. */
      codec: NullableString,
      /** Bits per second, or null when unknown (Data saver). */
      bitrate: NullableNumber,
    }),
  ),
  /** The server can transcode (`?format=mp3` works): tracks this browser cannot play are asked for as MP3. */
  transcoding: Type.Boolean(),
});

// ---- Playlists (issue 14) ----

/** Playlist ids and track ids in bodies: the same URL-safe shape as IdParamsSchema. */
const IdString = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
/**
 * A name as sent: at most 1,000 characters here; the server trims it and wants 1 to 200
 * characters (code points) after that (MAX_PLAYLIST_NAME), else 400.
 */
const PlaylistName = Type.String({ maxLength: 1000 });

export const PlaylistSchema = Type.Object({
  /** URL-safe: random for the user's playlists, derived from the file's path for library files. */
  id: Type.String(),
  name: Type.String(),
  /** Entries, missing tracks included (a track may appear more than once). */
  trackCount: Type.Integer(),
  /** Seconds: the sum of the known durations of the tracks present now. */
  duration: Type.Number(),
  /** A playlist file in the library (`.m3u`, `.m3u8`, `.pls`): PUT and DELETE answer 405. */
  readOnly: Type.Boolean(),
  /** The library file's path relative to the media folder (`/` separators); null for the user's own playlists. */
  path: NullableString,
  /** ISO 8601: the last change (a library file: its modification time). */
  updatedAt: Type.String(),
});
export const PlaylistListSchema = Type.Object({
  /** The user's playlists by name, then the library's files by path. */
  playlists: Type.Array(PlaylistSchema),
});
/**
 * One entry of a playlist, in order. `title` and `artist` are what to show in every case: the
 * track's own when it is present; when it is missing, the last known ones (or a file's
 * `#EXTINF`/`Title`, else its file name).
 */
export const PlaylistEntrySchema = Type.Object({
  /** The track's id (derived from its path: a file that comes back has the same id). */
  id: Type.String(),
  /** The track as the library has it now, or null: missing (show it greyed; the player skips it). */
  track: Type.Union([TrackSchema, Type.Null()]),
  title: Type.String(),
  artist: NullableString,
});
/** `GET /api/playlists/:id`, with the playlist's version as a strong `ETag`. */
export const PlaylistDetailSchema = Type.Object({
  playlist: PlaylistSchema,
  tracks: Type.Array(PlaylistEntrySchema),
});
/** `POST /api/playlists`: at most 10,000 ids (else 413); every id a track of the library (else 400). */
export const PlaylistCreateSchema = Type.Object({
  name: PlaylistName,
  trackIds: Type.Optional(Type.Array(IdString)),
});
/**
 * `PUT /api/playlists/:id` with `If-Match: <ETag>` (none: 428; another version: 412): the whole
 * new state. An id must be a track of the library or already in this playlist (a missing
 * track keeps its place), else 400.
 */
export const PlaylistReplaceSchema = Type.Object({
  name: PlaylistName,
  trackIds: Type.Array(IdString),
});
/** The 400 of a create or replace naming tracks the server does not know. */
export const PlaylistErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  /** The ids that are neither in the library nor (PUT) already in the playlist. */
  unknownTrackIds: Type.Optional(Type.Array(Type.String())),
});

// ---- The now-playing protocol over `/ws` (JSON text frames) ----

export const DeviceSchema = Type.Object({
  deviceId: Type.String(),
  name: Type.String(),
  trackId: NullableString,
  title: NullableString,
  artist: NullableString,
  positionSec: Type.Number(),
  paused: Type.Boolean(),
  /** Milliseconds since the epoch of the device's last update. */
  updatedAt: Type.Number(),
});

// client -> server
export const HelloMessageSchema = Type.Object({ type: Type.Literal('hello'), name: Type.String() });
export const NowPlayingMessageSchema = Type.Object({
  type: Type.Literal('nowPlaying'),
  trackId: NullableString,
  positionSec: Type.Number(),
  paused: Type.Boolean(),
});
export const PingMessageSchema = Type.Object({ type: Type.Literal('ping') });
export const ClientMessageSchema = Type.Union([HelloMessageSchema, NowPlayingMessageSchema, PingMessageSchema]);

// server -> client
export const WelcomeMessageSchema = Type.Object({
  type: Type.Literal('welcome'),
  deviceId: Type.String(),
  devices: Type.Array(DeviceSchema),
});
export const DevicesMessageSchema = Type.Object({ type: Type.Literal('devices'), devices: Type.Array(DeviceSchema) });
export const PongMessageSchema = Type.Object({ type: Type.Literal('pong') });
export const ErrorMessageSchema = Type.Object({ type: Type.Literal('error'), message: Type.String() });
/** The library changed (rescan, files added/removed): clients refetch. */
export const LibraryChangedMessageSchema = Type.Object({ type: Type.Literal('library'), trackCount: Type.Integer() });
/** Progress of a library scan. */
export const ScanProgressMessageSchema = Type.Object({
  type: Type.Literal('scan'),
  scanning: Type.Boolean(),
  done: Type.Integer(),
  total: Type.Integer(),
});
/** A playlist was made, changed or deleted (by any device, or a file in the library): clients refetch. */
export const PlaylistsChangedMessageSchema = Type.Object({ type: Type.Literal('playlists') });
export const ServerMessageSchema = Type.Union([
  WelcomeMessageSchema,
  DevicesMessageSchema,
  PongMessageSchema,
  ErrorMessageSchema,
  LibraryChangedMessageSchema,
  ScanProgressMessageSchema,
  PlaylistsChangedMessageSchema,
]);
