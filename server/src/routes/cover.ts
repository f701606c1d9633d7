/**
 * `GET /cover/:id?size=96|256|512`: an album's cover. Without `size`, the original image; with
 * it, a JPEG thumbnail that fits the size, made once and cached on disk. Thin: schema + handler.
 *
 * Caching: a strong ETag that changes whenever the album's cover sources change (computed from
 * file sizes and times, so a revalidation reads no image), `Cache-Control: public,
 * max-age=86400`. The cover URL is the same for every version, so after a day the browser
 * revalidates and gets a 304 or the new cover (If-None-Match, RFC 9110 §13.1.2: `*` or any
 * listed tag that weakly matches; evaluated by `http/etag.ts`). Errors are JSON: 404 no such album or no cover,
 * 415 the cover image is corrupt or in a format we cannot read.
 */
import { ErrorSchema, IdParamsSchema } from '@musicsharer/shared/schemas';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Static } from 'typebox';
import { COVER_SIZES, type CoverSize } from '@musicsharer/shared';
import { ifNoneMatchHolds, parseEntityTag } from '../http/etag.js';

type IdParams = Static<typeof IdParamsSchema>;
interface CoverQuery {
  size?: CoverSize;
}

const CoverQuerySchema = {
  type: 'object',
  properties: { size: { type: 'integer', enum: [...COVER_SIZES] } },
  additionalProperties: false,
} as const;

const CACHE_CONTROL = 'public, max-age=86400';

function error(reply: FastifyReply, statusCode: 404 | 415, message: string) {
  return reply
    .code(statusCode)
    .header('Cache-Control', 'no-cache')
    .send({ statusCode, error: statusCode === 404 ? 'Not Found' : 'Unsupported Media Type', message });
}

const coverRoutes: FastifyPluginAsync = async (app) => {
  const covers = app.library.covers;
  app.get<{ Params: IdParams; Querystring: CoverQuery }>(
    '/cover/:id', // apiPaths.cover(id)
    { schema: { params: IdParamsSchema, querystring: CoverQuerySchema, response: { 400: ErrorSchema, 404: ErrorSchema, 415: ErrorSchema } } },
    async (request, reply) => {
      const { id } = request.params;
      const { size } = request.query;
      // Computed once (sizes and times of the sources): it answers the revalidation, picks the
      // image and names the reply, so all three agree even when the cover changes meanwhile.
      const version = await covers.version(id);
      if (!version) return error(reply, 404, 'album has no cover');
      const ifNoneMatch = request.headers['if-none-match'];
      if (ifNoneMatch !== undefined && !ifNoneMatchHolds(ifNoneMatch, parseEntityTag(version.etag))) {
        return reply.code(304).header('ETag', version.etag).header('Cache-Control', CACHE_CONTROL).send();
      }
      const result = size === undefined ? await covers.original(version) : await covers.thumbnail(version, size);
      if (!result.ok) {
        request.log.warn({ albumId: id }, 'cover image is corrupt');
        return error(reply, 415, 'the cover image is corrupt or in an unsupported format');
      }
      return reply
        .header('Content-Type', result.image.mimeType)
        .header('ETag', version.etag)
        .header('Cache-Control', CACHE_CONTROL)
        .header('X-Content-Type-Options', 'nosniff')
        .send(result.image.data);
    },
  );
};

export default coverRoutes;
