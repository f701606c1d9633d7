/** The library API: tracks, albums, artists, scan status. Thin: schema + handler. */
import { apiPaths } from '@musicsharer/shared';
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
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Static } from 'typebox';

type IdParams = Static<typeof IdParamsSchema>;
type PagingQuery = Static<typeof PagingQuerySchema>;

function notFound(reply: FastifyReply, what: string) {
  return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `${what} not found` });
}

const libraryRoutes: FastifyPluginAsync = async (app) => {
  const catalog = app.library.catalog;
  const errors = { 400: ErrorSchema, 404: ErrorSchema };

  app.get<{ Querystring: PagingQuery }>(
    apiPaths.tracks,
    { schema: { querystring: PagingQuerySchema, response: { 200: TrackListSchema, 400: ErrorSchema } } },
    async (request) => {
      const all = catalog.tracks();
      const offset = request.query.offset ?? 0;
      const end = request.query.limit === undefined ? undefined : offset + request.query.limit;
      return { tracks: all.slice(offset, end), total: all.length };
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/tracks/:id',
    { schema: { params: IdParamsSchema, response: { 200: TrackSchema, ...errors } } },
    async (request, reply) => catalog.getTrack(request.params.id) ?? notFound(reply, 'track'),
  );

  app.get(apiPaths.albums, { schema: { response: { 200: AlbumListSchema } } }, async () => ({ albums: catalog.albums() }));

  app.get<{ Params: IdParams }>(
    '/api/albums/:id',
    { schema: { params: IdParamsSchema, response: { 200: AlbumDetailSchema, ...errors } } },
    async (request, reply) => catalog.album(request.params.id) ?? notFound(reply, 'album'),
  );

  app.get(apiPaths.artists, { schema: { response: { 200: ArtistListSchema } } }, async () => ({ artists: catalog.artists() }));

  app.get<{ Params: IdParams }>(
    '/api/artists/:id',
    { schema: { params: IdParamsSchema, response: { 200: ArtistDetailSchema, ...errors } } },
    async (request, reply) => catalog.artist(request.params.id) ?? notFound(reply, 'artist'),
  );

  app.get(apiPaths.scan, { schema: { response: { 200: ScanStatusSchema } } }, async () => app.library.status);
};

export default libraryRoutes;
