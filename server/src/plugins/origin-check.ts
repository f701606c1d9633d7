/**
 * Cross-site request forgery guard: a request that changes state (POST, PUT, PATCH, DELETE)
 * whose `Origin` is another site's gets 403, whatever its cookies. SameSite=Lax already keeps
 * the session cookie off other sites' POSTs; this also covers other schemes and ports of the
 * same host, and older browsers. No `Origin` (curl, scripts, same-origin GET-like navigation
 * in old browsers) is let through: without a cookie it has no session anyway.
 *
 * The hook is attached per route (onRoute) to the methods that change state, so GET and HEAD,
 * the hot path, carry none of it.
 */
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { isAllowedOrigin, isSameOrigin } from '../http/origin.js';
import { prependOnRequest } from './route-hooks.js';

export interface OriginCheckOptions {
  /** `--allowed-origin` values. */
  allowedOrigins?: readonly string[];
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export default fp<OriginCheckOptions>(
  async (app, options) => {
    const allowed = new Set((options.allowedOrigins ?? []).map((origin) => new URL(origin).origin));

    function checkOrigin(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
      const origin = request.headers.origin;
      if (origin === undefined || isSameOrigin(origin, request.headers.host) || isAllowedOrigin(origin, allowed)) return done();
      request.log.debug({ origin: origin.slice(0, 256) }, 'refusing a state change from another origin');
      reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: 'requests from another site cannot change anything here (see --allowed-origin)' });
    }

    app.addHook('onRoute', (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (!methods.some((method) => STATE_CHANGING.has(method))) return;
      prependOnRequest(route, checkOrigin);
    });
  },
  { name: 'origin-check' },
);

