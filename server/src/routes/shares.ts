/**
 * The owner's side of share links (issue 13, session required): make, list, change, revoke.
 * The public side is plugins/shares.ts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { apiPaths, DEFAULT_SHARE_EXPIRY_DAYS, type ErrorResponse, type Share } from '@musicsharer/shared';
import { ErrorSchema, IdParamsSchema, ShareCreateSchema, ShareListSchema, ShareSchema, ShareUpdateSchema } from '@musicsharer/shared/schemas';
import { Type } from 'typebox';
import type { ShareRecord } from '../share/share-store.js';

const failure = (statusCode: number, error: string, message: string): ErrorResponse => ({ statusCode, error, message });
const NoContent = Type.Null();

const shareRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, baseUrl } = app.shares;
  const catalog = app.library.catalog;
  const view = (share: ShareRecord, base: string): Share => ({
    id: share.id,
    url: `${base}${apiPaths.sharePage(share.id)}`,
    type: share.type,
    targetId: share.targetId,
    title: share.title,
    expiresAt: share.expiresAt === null ? null : new Date(share.expiresAt).toISOString(),
    download: share.download,
    visits: share.visits,
    createdAt: new Date(share.createdAt).toISOString(),
  });

  app.post(
    apiPaths.shares,
    { schema: { body: ShareCreateSchema, response: { 201: ShareSchema, 404: ErrorSchema, 409: ErrorSchema } } },
    async (request, reply) => {
      const { type, id } = request.body;
      const title = type === 'album' ? catalog.album(id)?.album.title : type === 'track' ? catalog.getTrack(id)?.title : app.playlists.find(id)?.playlist.name;
      if (title === undefined) return reply.code(404).send(failure(404, 'Not Found', `${type} not found`));
      const expiresInDays = request.body.expiresInDays === undefined ? DEFAULT_SHARE_EXPIRY_DAYS : request.body.expiresInDays;
      const share = await store.create({ type, targetId: id, title }, expiresInDays, request.body.download ?? false);
      if (share === undefined) return reply.code(409).send(failure(409, 'Conflict', 'too many share links: revoke some first'));
      request.log.info({ type, target: id }, 'share link made');
      return reply.code(201).send(view(share, baseUrl(request)));
    },
  );

  app.get(apiPaths.shares, { schema: { response: { 200: ShareListSchema } } }, async (request, reply) => {
    const base = baseUrl(request);
    return reply.header('Cache-Control', 'no-store').send({ shares: store.list().map((share) => view(share, base)) });
  });

  app.patch(
    `${apiPaths.shares}/:id`,
    { schema: { params: IdParamsSchema, body: ShareUpdateSchema, response: { 200: ShareSchema, 404: ErrorSchema } } },
    async (request, reply) => {
      const share = await store.update(request.params.id, request.body);
      if (share === undefined) return reply.code(404).send(failure(404, 'Not Found', 'no such share link'));
      return view(share, baseUrl(request));
    },
  );

  app.delete(
    `${apiPaths.shares}/:id`,
    { schema: { params: IdParamsSchema, response: { 204: NoContent, 404: ErrorSchema } } },
    async (request, reply) => {
      if (!(await store.revoke(request.params.id))) return reply.code(404).send(failure(404, 'Not Found', 'no such share link'));
      request.log.info('share link revoked');
      return reply.code(204).send(null);
    },
  );
};

export default shareRoutes;
