/**
 * `GET /cover/:id?size=96|256|512`: an album's cover. Without `size`, the original image; with
 * it, a JPEG thumbnail that fits the size, made once and cached on disk. Thin: schema + handler.
 *
 * Caching: a strong ETag that changes whenever the album's cover sources change (computed from
 * file sizes and times, so a revalidation reads no image), `Cache-Control: public,
 * max-age=86400`. The cover URL is the same for every version, so after a day the browser
 * revalidates and gets a 304 or the new cover (If-None-Match, RFC 9110 §13.1.2: `*` or any
 * listed tag that weakly matches; evaluated by `http/etag.ts`). Errors are JSON: 404 no such album or no cover
 * (or its file is gone), 415 the cover image was read and is corrupt or in a format we cannot
 * read, 503 the media folder or the cover's file cannot be read now (unmounted, an I/O error).
 * An original is streamed from its file (`COVER_CHUNK_BYTES` at a time, with backpressure).
 */
import { ErrorSchema, IdParamsSchema } from '@musicsharer/shared/schemas';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { COVER_SIZES, type CoverSize } from '@musicsharer/shared';
import { ifNoneMatchHolds, parseEntityTag } from '../http/etag.js';
import type { CoverService } from '../library/covers.js';

type IdParams = Static<typeof IdParamsSchema>;
export interface CoverQuery {
  size?: CoverSize;
}

const CACHE_CONTROL = 'public, max-age=86400';

const ERROR_NAMES = { 404: 'Not Found', 415: 'Unsupported Media Type', 503: 'Service Unavailable' } as const;

function error(reply: FastifyReply, statusCode: keyof typeof ERROR_NAMES, message: string) {
  return reply.code(statusCode).header('Cache-Control', 'no-cache').send({ statusCode, error: ERROR_NAMES[statusCode], message });
}

const UNAVAILABLE = 'the cover cannot be read now; try again later';

/**
 * Answers `request` with the cover of album `albumId` (`size`: a thumbnail, else the original):
 * the body of `GET /cover/:id`, also used by a share's `/s/:id/cover`.
 */
export async function sendCover(covers: CoverService, albumId: string, size: CoverSize | undefined, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  // The version (identities of the sources, from lstat) answers the revalidation, picks the
  // image and names the reply, so all three agree. A source replaced between the version and
  // its read (`changed`) gets the version computed again, once.
  for (let attempt = 0; ; attempt++) {
    const version = await covers.version(albumId);
    if (version === 'none') return error(reply, 404, 'album has no cover');
    if (version === 'unavailable') return error(reply, 503, UNAVAILABLE);
    const ifNoneMatch = request.headers['if-none-match'];
    if (ifNoneMatch !== undefined && !ifNoneMatchHolds(ifNoneMatch, parseEntityTag(version.etag))) {
      return reply.code(304).header('ETag', version.etag).header('Cache-Control', CACHE_CONTROL).send();
    }
    const result = size === undefined ? await covers.original(version) : await covers.thumbnail(version, size);
    if (result.ok) {
      return reply
        .header('Content-Type', result.image.mimeType)
        .header('Content-Length', result.image.length)
        .header('ETag', version.etag)
        .header('Cache-Control', CACHE_CONTROL)
        .header('X-Content-Type-Options', 'nosniff')
        .send(result.image.body);
    }
    switch (result.failure) {
      case 'changed':
        if (attempt === 0) continue;
        return error(reply, 503, UNAVAILABLE);
      case 'missing':
        return error(reply, 404, 'the cover image is gone');
      case 'unavailable':
        return error(reply, 503, UNAVAILABLE);
      case 'corrupt':
        request.log.warn({ albumId }, 'cover image is corrupt');
        return error(reply, 415, 'the cover image is corrupt or in an unsupported format');
    }
  }
}

/** The query of a cover URL: `?size=96|256|512`, nothing else. */
export const CoverQuerySchema = {
  type: 'object',
  properties: { size: { type: 'integer', enum: [...COVER_SIZES] } },
  additionalProperties: false,
} as const;

export const COVER_ERRORS = { 400: ErrorSchema, 404: ErrorSchema, 415: ErrorSchema, 503: ErrorSchema } as const;

const coverRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Params: IdParams; Querystring: CoverQuery }>(
    '/cover/:id', // apiPaths.cover(id)
    { schema: { params: IdParamsSchema, querystring: CoverQuerySchema, response: COVER_ERRORS } },
    (request, reply) => sendCover(app.library.covers, request.params.id, request.query.size, request, reply),
  );
};

export default coverRoutes;
