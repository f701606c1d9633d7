/**
 * A URL for every screen (issue 14): `/albums`, `/albums/:id`, ... (SCREEN_ROUTES in shared/)
 * answer with the app shell, so a reload or a link lands on that screen; the client reads the
 * path. Public like the shell itself (`/`): an unpaired browser gets the shell, which then shows
 * the pairing screen. An id that could not be one (not the API's id shape) is an unknown path:
 * 404. The API, `/stream`, `/cover`, `/ws`, `/pair` and `/s` keep their own routes (more
 * specific than these, or registered under other prefixes).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SCREEN_ID_PATTERN, SCREEN_ROUTES } from '@musicsharer/shared';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';

export interface AppShellOptions {
  /** Sends the shell: index.html of the client build (or the placeholder page without one). */
  send(reply: FastifyReply): FastifyReply;
}

const ScreenParams = Type.Object({ id: Type.Optional(Type.String({ maxLength: 1024 })) });
const ScreenQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 1024 })) });

const appShellRoutes: FastifyPluginAsyncTypebox<AppShellOptions> = async (app, options) => {
  for (const url of SCREEN_ROUTES) {
    app.get(
      url,
      { config: { public: true }, schema: { params: ScreenParams, querystring: ScreenQuery } },
      async (request, reply) => {
        const { id } = request.params;
        if (id !== undefined && !SCREEN_ID_PATTERN.test(id)) return reply.callNotFound();
        return options.send(reply);
      },
    );
  }
};

export default appShellRoutes;
