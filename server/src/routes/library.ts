/**
 * The library API: tracks, albums, artists, scan status. Thin: schema + handler. The TypeBox
 * type provider types each handler's params, query and replies from the route's schemas.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { apiPaths, type Album, type Artist, type ErrorResponse } from '@musicsharer/shared';
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
} from '@musicsharer/shared/schemas';

const notFound = (what: string): ErrorResponse => ({ statusCode: 404, error: 'Not Found', message: `${what} not found` });

const libraryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const catalog = app.library.catalog;
  const errors = { 400: ErrorSchema, 404: ErrorSchema };

  app.get(
    apiPaths.tracks,
    { schema: { querystring: PagingQuerySchema, response: { 200: TrackListSchema, 400: ErrorSchema } } },
    async (request) => {
      const all = catalog.tracks();
      const offset = request.query.offset ?? 0;
      const end = request.query.limit === undefined ? undefined : offset + request.query.limit;
      return { tracks: all.slice(offset, end), total: all.length };
    },
  );

  app.get(
    '/api/tracks/:id',
    { schema: { params: IdParamsSchema, response: { 200: TrackSchema, ...errors } } },
    async (request, reply) => catalog.getTrack(request.params.id) ?? reply.code(404).send(notFound('track')),
  );

  // The catalog hands out its cached lists as read-only arrays; the serializer only reads them.
  app.get(apiPaths.albums, { schema: { response: { 200: AlbumListSchema } } }, async () => ({
    albums: catalog.albums() as Album[],
  }));

  app.get(
    '/api/albums/:id',
    { schema: { params: IdParamsSchema, response: { 200: AlbumDetailSchema, ...errors } } },
    async (request, reply) => catalog.album(request.params.id) ?? reply.code(404).send(notFound('album')),
  );

  app.get(apiPaths.artists, { schema: { response: { 200: ArtistListSchema } } }, async () => ({
    artists: catalog.artists() as Artist[],
  }));

  app.get(
    '/api/artists/:id',
    { schema: { params: IdParamsSchema, response: { 200: ArtistDetailSchema, ...errors } } },
    async (request, reply) => catalog.artist(request.params.id) ?? reply.code(404).send(notFound('artist')),
  );

  app.get(apiPaths.scan, { schema: { response: { 200: ScanStatusSchema } } }, async () => app.library.status);
};

export default libraryRoutes;
