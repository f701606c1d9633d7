/**
 * Access control (issue 12): every route needs a session but the public ones. A route is public
 * when it says so (`config: { public: true }`: pairing, login) or is the app shell that
 * @fastify/static serves (`/` and `/*`: HTML, scripts, styles, icons, the manifest; the shell
 * shows the pairing screen when the API answers 401). Everything else, registered after this
 * plugin, gets the session check as its first onRequest hook (attached per route in onRoute, so
 * public routes pay nothing and no route is forgotten): the API, `/stream`, `/cover`, and the
 * `/ws` upgrade, which is routed through Fastify (plugins/websocket.ts) and so is refused with a
 * 401 before any upgrade.
 *
 * Decorates `app.auth` (the stores, for the routes in routes/auth.ts and the start banner) and
 * `request.session`. With `enabled: false` (`--no-auth`) no hook is attached and `app.auth.stores`
 * is null.
 */
import { CLOSE_SESSION_REVOKED } from '@musicsharer/shared';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { join } from 'node:path';
import { browserName } from '../auth/browser-name.js';
import { readCookie, SESSION_COOKIE, sessionCookie } from '../auth/cookie.js';
import { FailureLimiter } from '../auth/failure-limiter.js';
import { PairCodes } from '../auth/pair-codes.js';
import { PairLinks } from '../auth/pair-links.js';
import { PasswordStore } from '../auth/password-store.js';
import { SessionStore, type SessionRecord } from '../auth/session-store.js';
import type { WebSocketConnection } from '../ws/connection.js';
import { prependOnRequest } from './route-hooks.js';

export interface AuthPluginOptions {
  enabled: boolean;
  /** Where sessions, the password hash and pairing links live. */
  dataDir: string;
}

export interface AuthStores {
  dataDir: string;
  sessions: SessionStore;
  pairLinks: PairLinks;
  pairCodes: PairCodes;
  password: PasswordStore;
  loginFailures: FailureLimiter;
}

export interface Auth {
  readonly enabled: boolean;
  /** null with `--no-auth`. */
  readonly stores: AuthStores | null;
  /** Starts a session for the browser that sent `request`: the cookie goes on `reply`. */
  signIn(request: FastifyRequest, reply: FastifyReply): Promise<SessionRecord>;
  /** Closes `socket` (4401) when the session of `request` ends. */
  watchSocket(request: FastifyRequest, socket: WebSocketConnection): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    auth: Auth;
  }
  interface FastifyRequest {
    /** The request's session (null on public routes and with `--no-auth`). */
    session: SessionRecord | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a session (see plugins/auth.ts). */
    public?: boolean;
  }
}

/** The routes @fastify/static registers for the client build (and the placeholder page). */
const APP_SHELL_URLS = new Set(['/', '/*']);

const UNAUTHORIZED = { statusCode: 401, error: 'Unauthorized', message: 'this device is not paired: open a pairing link or enter a pairing code' } as const;


export default fp<AuthPluginOptions>(
  async (app, options) => {
    app.decorateRequest('session', null);
    if (!options.enabled) {
      app.decorate('auth', {
        enabled: false,
        stores: null,
        signIn: () => Promise.reject(new Error('access control is off (--no-auth)')),
        watchSocket: () => {},
      } satisfies Auth);
      return;
    }

    const { dataDir } = options;
    const stores: AuthStores = {
      dataDir,
      sessions: await SessionStore.open(join(dataDir, 'sessions.json'), app.log),
      pairLinks: new PairLinks(dataDir),
      pairCodes: new PairCodes(),
      password: await PasswordStore.open(dataDir, app.log),
      loginFailures: new FailureLimiter(),
    };
    const { sessions } = stores;

    /** Open sockets by session id, closed when their session ends. */
    const sockets = new Map<string, Set<WebSocketConnection>>();
    sessions.onRevoked((id) => {
      for (const socket of sockets.get(id) ?? []) socket.close(CLOSE_SESSION_REVOKED, 'signed out');
      sockets.delete(id);
    });

    const isSecure = (request: FastifyRequest) => request.protocol === 'https';

    const auth: Auth = {
      enabled: true,
      stores,
      async signIn(request, reply) {
        const { token, session } = await sessions.create(browserName(request.headers['user-agent']), request.ip);
        reply.header('Set-Cookie', sessionCookie(token, { secure: isSecure(request) }));
        request.log.info({ session: session.id, name: session.name }, 'device paired');
        return session;
      },
      watchSocket(request, socket) {
        const id = request.session?.id;
        if (id === undefined) return;
        let set = sockets.get(id);
        if (set === undefined) sockets.set(id, (set = new Set()));
        set.add(socket);
        socket.once('close', () => {
          set.delete(socket);
          if (set.size === 0 && sockets.get(id) === set) sockets.delete(id);
        });
      },
    };
    app.decorate('auth', auth);

    // The hot path: a Range probe runs this before anything else (see sessions.authenticate).
    function requireSession(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
      const token = readCookie(request.headers.cookie, SESSION_COOKIE);
      const session = token === undefined ? undefined : sessions.authenticate(token, request.ip);
      if (session === undefined) {
        reply.code(401).header('Cache-Control', 'no-store').send(UNAUTHORIZED);
        return;
      }
      request.session = session;
      // A one-year cookie renewed on use: sent again at most once a day.
      if (sessions.needsRenewal(session)) reply.header('Set-Cookie', sessionCookie(token!, { secure: isSecure(request) }));
      done();
    }

    app.addHook('onRoute', (route: RouteOptions) => {
      if (route.config?.public === true || APP_SHELL_URLS.has(route.url)) return;
      prependOnRequest(route, requireSession);
    });

    app.addHook('onClose', async () => {
      await sessions.flush();
    });
  },
  { name: 'musicsharer-auth', fastify: '5.x' },
);

