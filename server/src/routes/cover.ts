/**
 * `GET /cover/:id?size=96|256|512`: an album's cover. Without `size`, the original image; with
 * it, a JPEG thumbnail that fits the size, made once and cached on disk. Thin: schema + handler.
 *
 * Caching: a strong ETag that changes whenever the album's cover sources change (computed from
 * file sizes and times, so a revalidation reads no image), `Cache-Control: public,
 * max-age=86400`. The cover URL is the same for every version, so after a day the browser
 * revalidates and gets a 304 or the new cover. Errors are JSON: 404 no such album or no cover,
 * 415 the cover image is corrupt or in a format we cannot read.
 */
import { ErrorSchema, IdParamsSchema } from '@musicsharer/shared/schemas';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Static } from 'typebox';
import { COVER_SIZES, type CoverSize } from '@musicsharer/shared';

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

/** RFC 9110 §13.1.2: If-None-Match matches when any listed entity tag equals ours, or `*`. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

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
      const version = await covers.version(id);
      if (!version) return error(reply, 404, 'album has no cover');
      if (noneMatch(request.headers['if-none-match'], version.etag)) {
        return reply.code(304).header('ETag', version.etag).header('Cache-Control', CACHE_CONTROL).send();
      }
      const result = size === undefined ? await covers.original(id) : await covers.thumbnail(id, size);
      if (!result.ok) {
        if (result.reason === 'not-found') return error(reply, 404, 'album has no cover');
        request.log.warn({ albumId: id }, 'cover image is corrupt');
        return error(reply, 415, 'the cover image is corrupt or in an unsupported format');
      }
      return reply
        .header('Content-Type', result.image.mimeType)
        .header('ETag', result.image.etag)
        .header('Cache-Control', CACHE_CONTROL)
        .header('X-Content-Type-Options', 'nosniff')
        .send(result.image.data);
    },
  );
};

export default coverRoutes;
