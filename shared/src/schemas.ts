/**
 * JSON schemas of the API (TypeBox): one definition drives Fastify's validation and
 * serialization. Kept apart from the plain types so the client bundle never pulls TypeBox in.
 */
import { Type } from 'typebox';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

export const TrackSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  artist: NullableString,
  album: NullableString,
  albumArtist: NullableString,
  trackNo: NullableInteger,
  discNo: NullableInteger,
  year: NullableInteger,
  genre: NullableString,
  duration: NullableNumber,
  codec: NullableString,
  bitrate: NullableNumber,
  path: Type.String(),
  url: Type.String(),
  mimeType: Type.String(),
  albumId: Type.String(),
  artistId: Type.String(),
  coverUrl: NullableString,
});

export const AlbumSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  artist: Type.String(),
  artistId: Type.String(),
  year: NullableInteger,
  trackCount: Type.Integer(),
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

export const TrackListSchema = Type.Object({ tracks: Type.Array(TrackSchema), total: Type.Integer() });
export const AlbumListSchema = Type.Object({ albums: Type.Array(AlbumSchema) });
export const AlbumDetailSchema = Type.Object({ album: AlbumSchema, tracks: Type.Array(TrackSchema) });
export const ArtistListSchema = Type.Object({ artists: Type.Array(ArtistSchema) });
export const ArtistDetailSchema = Type.Object({ artist: ArtistSchema, albums: Type.Array(AlbumSchema) });
export const ScanStatusSchema = Type.Object({
  scanning: Type.Boolean(),
  done: Type.Integer(),
  total: Type.Integer(),
  trackCount: Type.Integer(),
});
