/**
 * Pairing, password and sessions (issue 12): the routes over the stores of plugins/auth.ts.
 * Public (no session): `GET /pair/:token`, `POST /api/pair`, `POST /api/login`. The rest needs a
 * session (the auth plugin's hook runs first). With `--no-auth` only `GET /api/session` exists.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { apiPaths, type ErrorResponse, type Session } from '@musicsharer/shared';
import {
  ErrorSchema,
  IdParamsSchema,
  NewPasswordRequestSchema,
  PairCodeSchema,
  PairRequestSchema,
  PasswordRequestSchema,
  SessionListSchema,
  SessionStatusSchema,
} from '@musicsharer/shared/schemas';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { clearedSessionCookie } from '../auth/cookie.js';
import { DEVICE_LINK_TTL_MS } from '../auth/pair-links.js';
import { PasswordBusyError } from '../auth/password-store.js';
import type { SessionRecord } from '../auth/session-store.js';
import { pairingGonePage } from './pairing-page.js';

/** A 204 answer has no body. */
const NoContent = Type.Null();

const failure = (statusCode: number, error: string, message: string): ErrorResponse => ({ statusCode, error, message });

function sessionView(session: SessionRecord, current: SessionRecord | null): Session {
  return {
    id: session.id,
    name: session.name,
    createdAt: new Date(session.createdAt).toISOString(),
    lastSeenAt: new Date(session.lastSeenAt).toISOString(),
    address: session.address,
    current: session.id === current?.id,
  };
}

/** This server as the asking browser reached it (its Host was checked by the host-check plugin). */
const originOf = (request: FastifyRequest) => `${request.protocol}://${request.headers.host ?? request.host}`;

const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { stores } = app.auth;

  app.get(apiPaths.session, { schema: { response: { 200: SessionStatusSchema } } }, async (request) => ({
    auth: app.auth.enabled,
    passwordSet: stores?.password.isSet ?? false,
    session: request.session && sessionView(request.session, request.session),
  }));

  if (stores === null) return;
  const { sessions, pairLinks, pairCodes, password, loginFailures } = stores;
  const noStore = { 'Cache-Control': 'no-store' };

  // A pairing link: the browser that opens it gets a session and the app.
  app.get(
    '/pair/:token',
    { config: { public: true }, schema: { params: Type.Object({ token: Type.String() }) } },
    async (request, reply) => {
      // The token is in the URL: keep it out of the next page's Referer and out of caches.
      reply.headers({ ...noStore, 'Referrer-Policy': 'no-referrer' });
      if (!(await pairLinks.redeem(request.params.token))) {
        return reply.code(410).type('text/html; charset=utf-8').send(pairingGonePage());
      }
      await app.auth.signIn(request, reply);
      return reply.code(303).header('Location', '/').send();
    },
  );

  app.post(
    apiPaths.pair,
    { config: { public: true }, schema: { body: PairRequestSchema, response: { 204: NoContent, 401: ErrorSchema } } },
    async (request, reply) => {
      reply.headers(noStore);
      if (!pairCodes.redeem(request.body.code.trim())) return reply.code(401).send(failure(401, 'Unauthorized', 'that code is wrong or has expired'));
      await app.auth.signIn(request, reply);
      return reply.code(204).send(null);
    },
  );

  app.post(
    apiPaths.pairCodes,
    { schema: { response: { 201: PairCodeSchema } } },
    async (request, reply) => {
      const now = Date.now();
      const { code, expiresAt } = pairCodes.create(DEVICE_LINK_TTL_MS, now);
      const link = await pairLinks.create(DEVICE_LINK_TTL_MS, now);
      request.log.info({ session: request.session?.id }, 'pairing code made');
      return reply
        .code(201)
        .headers(noStore)
        .send({ code, url: originOf(request) + apiPaths.pairLink(link.token), expiresAt: new Date(expiresAt).toISOString() });
    },
  );

  app.post(
    apiPaths.login,
    { config: { public: true }, schema: { body: PasswordRequestSchema, response: { 204: NoContent, 401: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema } } },
    async (request, reply) => {
      reply.headers(noStore);
      const waitMs = loginFailures.retryAfterMs(request.ip);
      if (waitMs > 0) {
        return reply
          .code(429)
          .header('Retry-After', String(Math.ceil(waitMs / 1000)))
          .send(failure(429, 'Too Many Requests', 'too many wrong passwords from this address: try again later'));
      }
      let right: boolean;
      try {
        right = await password.verify(request.body.password);
      } catch (error) {
        if (!(error instanceof PasswordBusyError)) throw error;
        return reply.code(503).header('Retry-After', '1').send(failure(503, 'Service Unavailable', 'too many sign-ins at once: try again in a moment'));
      }
      if (!right) {
        loginFailures.fail(request.ip);
        request.log.info({ address: request.ip }, 'wrong password');
        return reply.code(401).send(failure(401, 'Unauthorized', 'wrong password'));
      }
      loginFailures.succeed(request.ip);
      await app.auth.signIn(request, reply);
      return reply.code(204).send(null);
    },
  );

  app.put(apiPaths.password, { schema: { body: NewPasswordRequestSchema, response: { 204: NoContent, 503: ErrorSchema } } }, async (request, reply) => {
    try {
      await password.set(request.body.password);
    } catch (error) {
      if (!(error instanceof PasswordBusyError)) throw error;
      return reply.code(503).header('Retry-After', '1').send(failure(503, 'Service Unavailable', 'busy: try again in a moment'));
    }
    request.log.info({ session: request.session?.id }, 'password set');
    return reply.code(204).send(null);
  });

  app.get(apiPaths.sessions, { schema: { response: { 200: SessionListSchema } } }, async (request, reply) =>
    reply.headers(noStore).send({ sessions: sessions.list().map((session) => sessionView(session, request.session)) }),
  );

  app.delete(
    `${apiPaths.sessions}/:id`,
    { schema: { params: IdParamsSchema, response: { 204: NoContent, 404: ErrorSchema } } },
    async (request, reply) => {
      if (!(await sessions.revoke(request.params.id))) return reply.code(404).send(failure(404, 'Not Found', 'no such session'));
      // Signing this browser out: its cookie goes too.
      if (request.params.id === request.session?.id) reply.header('Set-Cookie', clearedSessionCookie({ secure: request.protocol === 'https' }));
      return reply.code(204).send(null);
    },
  );
};

export default authRoutes;
