/**
 * The library API: tracks, albums, artists, scan status. Thin: schema + handler. The TypeBox
 * type provider types each handler's params, query and replies from the route's schemas.
 *
 * The lists are answered from copies made once per library version (library/views-cache.ts),
 * serialized by the route's own 200 serializer: the schema stays the contract for their bytes.
 * Those routes opt out of @fastify/compress (`compress: false`): their copies come compressed.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { apiPaths, type Album, type AlbumListResponse, type Artist, type ArtistListResponse, type ErrorResponse, type Track, type TrackListResponse } from '@musicsharer/shared';
import {
  AlbumDetailSchema,
  AlbumListSchema,
  ArtistDetailSchema,
  ArtistListSchema,
  ErrorSchema,
  IdParamsSchema,
  PagingQuerySchema,
  ScanStatusSchema,
  TrackListSchema,
  TrackSchema,
  UnplayableListSchema,
} from '@musicsharer/shared/schemas';
import type { FastifyReply } from 'fastify';
import { relative, sep } from 'node:path';
import { sendCachedJson, ViewsCache } from '../library/views-cache.js';

/** `GET /api/unplayable` lists at most this many files (and says how many there are). */
const MAX_UNPLAYABLE_LISTED = 500;

const notFound = (what: string): ErrorResponse => ({ statusCode: 404, error: 'Not Found', message: `${what} not found` });

const libraryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const catalog = app.library.catalog;
  const errors = { 400: ErrorSchema, 404: ErrorSchema };
  const views = new ViewsCache(() => catalog.version);
  /** The route's own serializer of its 200 answer (compiled from the schema at registration). */
  const serializer200 = <T>(reply: FastifyReply) => reply.getSerializationFunction('200') as (payload: T) => string;

  app.get(
    apiPaths.tracks,
    { compress: false, schema: { querystring: PagingQuerySchema, response: { 200: TrackListSchema, 400: ErrorSchema } } },
    async (request, reply) => {
      const all = catalog.tracks();
      const start = Math.min(request.query.offset ?? 0, all.length);
      const end = request.query.limit === undefined ? all.length : Math.min(start + request.query.limit, all.length);
      // The catalog hands out its cached list read-only; the serializer only reads it.
      const build = () => serializer200<TrackListResponse>(reply)({ tracks: all.slice(start, end) as Track[], total: all.length });
      const whole = start === 0 && end === all.length;
      return sendCachedJson(request, reply, whole ? views.list('tracks', build) : views.page(`tracks:${start}-${end}`, build));
    },
  );

  app.get(
    '/api/tracks/:id',
    { schema: { params: IdParamsSchema, response: { 200: TrackSchema, ...errors } } },
    async (request, reply) => catalog.getTrack(request.params.id) ?? reply.code(404).send(notFound('track')),
  );

  app.get(apiPaths.albums, { compress: false, schema: { response: { 200: AlbumListSchema } } }, async (request, reply) =>
    sendCachedJson(request, reply, views.list('albums', () => serializer200<AlbumListResponse>(reply)({ albums: catalog.albums() as Album[] }))),
  );

  app.get(
    '/api/albums/:id',
    { schema: { params: IdParamsSchema, response: { 200: AlbumDetailSchema, ...errors } } },
    async (request, reply) => catalog.album(request.params.id) ?? reply.code(404).send(notFound('album')),
  );

  app.get(apiPaths.artists, { compress: false, schema: { response: { 200: ArtistListSchema } } }, async (request, reply) =>
    sendCachedJson(request, reply, views.list('artists', () => serializer200<ArtistListResponse>(reply)({ artists: catalog.artists() as Artist[] }))),
  );

  app.get(
    '/api/artists/:id',
    { schema: { params: IdParamsSchema, response: { 200: ArtistDetailSchema, ...errors } } },
    async (request, reply) => catalog.artist(request.params.id) ?? reply.code(404).send(notFound('artist')),
  );

  app.get(apiPaths.scan, { schema: { response: { 200: ScanStatusSchema } } }, async () => app.library.status);

  // Files the scan could not read, then the tracks ffmpeg could not decode when they were asked
  // for as MP3 (found only then: decoding every file during the scan would take hours).
  app.get(apiPaths.unplayable, { schema: { response: { 200: UnplayableListSchema } } }, async () => {
    const list = app.library.unplayable(MAX_UNPLAYABLE_LISTED);
    for (const [realPath, reason] of app.transcoding.undecodable()) {
      list.total++;
      const path = relative(app.library.root, realPath).split(sep).join('/');
      if (list.files.length < MAX_UNPLAYABLE_LISTED) list.files.push({ path, reason: `ffmpeg cannot decode this file: ${reason}` });
    }
    return list;
  });
};

export default libraryRoutes;
