/**
 * WebSocket endpoints on Fastify, with our own RFC 6455 implementation (server/src/ws/).
 *
 * Registration works the way @fastify/websocket does it: the Node server's `upgrade` event hands
 * us the request and the raw socket; we give Fastify a ServerResponse bound to that socket and
 * route the request through `app.routing`, so hooks run and an unknown path gets Fastify's 404.
 * A WebSocket route's handler then checks the handshake (403/400/426 go out as ordinary Fastify
 * replies), hijacks the reply, writes the 101 and hands a WebSocketConnection to the endpoint.
 *
 * Endpoints are declared with a decorator rather than a route option, so the handler's different
 * signature stays type-checked:
 *
 *     app.websocketRoute('/ws', (socket, request) => {
 *       socket.on('message', (data, isBinary) => socket.send(data));
 *     });
 *
 * The route is added to the instance `websocketRoute` is called on (its prefix and hooks apply).
 * A plain GET without Upgrade gets 426 (and the connection closes if the client asked so).
 * `preClose` closes every socket with 1001 (going away) and waits for them, bounded by the close
 * timeout, so `app.close()` never hangs.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { CloseCode, resolveLimits, type WebSocketLimits } from '../ws/constants.js';
import { WebSocketConnection } from '../ws/connection.js';
import { switchingProtocolsResponse, validateHandshake } from '../ws/handshake.js';

/** Attach `message`/`close` listeners synchronously: bytes that came with the handshake are parsed right after. */
export type WebSocketHandler = (socket: WebSocketConnection, request: FastifyRequest) => void | Promise<void>;

export interface WebSocketPluginOptions {
  /** Web origins allowed to connect besides the server's own (e.g. "https://example.com"). */
  allowedOrigins?: string[];
  limits?: Partial<WebSocketLimits>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Declares a WebSocket endpoint at GET `path` on this instance. */
    websocketRoute(path: string, handler: WebSocketHandler): FastifyInstance;
  }
}

interface PendingUpgrade {
  socket: Socket;
  head: Buffer;
  response: ServerResponse;
  /** Our listeners on the raw socket, removed once a connection owns it. */
  onError: (error: Error) => void;
  onClose: () => void;
}

const errorReplySchema = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } },
} as const;

/** Ends a socket we will not upgrade, and cuts it if the peer lingers. */
function endSoon(socket: Socket, timeoutMs: number): void {
  socket.resume(); // discard anything else the peer sends, so its FIN is seen
  socket.end();
  const timer = setTimeout(() => socket.destroy(), timeoutMs).unref();
  socket.once('close', () => clearTimeout(timer));
}

export default fp<WebSocketPluginOptions>(
  async (app, options) => {
    const limits = resolveLimits(options.limits);
    const allowedOrigins = new Set((options.allowedOrigins ?? []).map((origin) => new URL(origin).origin));
    /** Upgrade requests on their way through Fastify's routing. */
    const pending = new WeakMap<IncomingMessage, PendingUpgrade>();
    /** Sockets not (yet) upgraded: destroyed on close. */
    const rawSockets = new Set<Socket>();
    const connections = new Set<WebSocketConnection>();

    function onUpgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
      const response = new ServerResponse(request);
      const upgrade: PendingUpgrade = {
        socket,
        head,
        response,
        // Node removed its own listeners from the socket: an error must not go unhandled.
        onError: (error) => app.log.debug({ err: error }, 'websocket upgrade socket error'),
        onClose: () => rawSockets.delete(socket),
      };
      socket.on('error', upgrade.onError);
      socket.once('close', upgrade.onClose);
      rawSockets.add(socket);
      response.shouldKeepAlive = false; // "Connection: close" on any non-101 answer
      response.assignSocket(socket);
      // Anything Fastify answers itself (404, 503 while closing, a hook's 401, a 4xx from the
      // handshake check) ends here: the socket was never upgraded.
      response.once('finish', () => {
        response.detachSocket(socket);
        endSoon(socket, limits.closeTimeoutMs);
      });
      pending.set(request, upgrade);
      try {
        app.routing(request, response);
      } catch (error) {
        app.log.warn({ err: error }, 'websocket upgrade failed');
        socket.destroy();
      }
    }
    app.server.on('upgrade', onUpgrade);

    function accept(upgrade: PendingUpgrade, accept: string, request: FastifyRequest, handler: WebSocketHandler): void {
      const { socket, head, response } = upgrade;
      // Nothing of the HTTP exchange may stay reachable from the socket for the connection's
      // lifetime (memory per idle connection): drop the response and our early listeners.
      response.detachSocket(socket);
      rawSockets.delete(socket);
      socket.removeListener('close', upgrade.onClose);
      if (!socket.writable) {
        socket.destroy(); // the client left while hooks ran
        return;
      }
      socket.removeListener('error', upgrade.onError);
      socket.write(switchingProtocolsResponse(accept));
      const connection = new WebSocketConnection(socket, limits, request.log);
      track(connection);
      runHandler(handler, connection, request);
      connection.start(head);
    }

    // Closures made in `accept` would share its scope, and with it `request` (the Fastify
    // request, its IncomingMessage and every header string): a close listener made there kept
    // ~1 KiB per connection alive for the connection's whole life. These functions keep apart
    // what lives as long as the connection and what may be let go.
    function track(connection: WebSocketConnection): void {
      connections.add(connection);
      connection.once('close', () => connections.delete(connection));
    }

    function runHandler(handler: WebSocketHandler, connection: WebSocketConnection, request: FastifyRequest): void {
      const log = request.log; // captured instead of `request`, for the reason above
      const fail = (error: unknown) => {
        log.error({ err: error }, 'websocket handler failed');
        connection.close(CloseCode.InternalError, 'internal error');
      };
      try {
        handler(connection, request)?.catch(fail);
      } catch (error) {
        fail(error);
      }
    }

    function websocketRoute(this: FastifyInstance, path: string, handler: WebSocketHandler): FastifyInstance {
      this.route({
        method: 'GET',
        url: path,
        schema: { response: { '4xx': errorReplySchema } },
        handler(request, reply) {
          const upgrade = pending.get(request.raw);
          if (upgrade === undefined) {
            // RFC 9110 §15.5.22: this resource is only reachable through the WebSocket protocol.
            // Naming our own Connection field makes Node keep the connection open, so a client's
            // "Connection: close" (RFC 9112 §9.6) is repeated here and honoured.
            return reply
              .code(426)
              .header('Upgrade', 'websocket')
              .header('Connection', reply.raw.shouldKeepAlive ? 'Upgrade' : 'Upgrade, close')
              .send({ statusCode: 426, error: 'Upgrade Required', message: 'this endpoint speaks WebSocket' });
          }
          pending.delete(request.raw);
          const result = validateHandshake(request.raw, { allowedOrigins });
          if (!result.ok) {
            request.log.info({ status: result.status, reason: result.message }, 'websocket handshake refused');
            return reply
              .code(result.status)
              .headers(result.headers ?? {})
              .send({ statusCode: result.status, error: 'WebSocket handshake refused', message: result.message });
          }
          reply.hijack();
          accept(upgrade, result.accept, request, handler);
          return reply;
        },
      });
      return this;
    }

    app.decorate('websocketRoute', websocketRoute);

    // §5.5.2: ping every client; one that did not answer since the last ping is gone (an iPhone
    // that locks its screen vanishes without closing).
    const heartbeat = setInterval(() => {
      for (const connection of connections) connection.heartbeat();
    }, limits.heartbeatIntervalMs).unref();

    app.addHook('preClose', async () => {
      clearInterval(heartbeat);
      for (const socket of rawSockets) socket.destroy();
      // §7.4.1 1001: going away. Each connection cuts TCP itself after the close timeout.
      await Promise.all(
        [...connections].map(
          (connection) =>
            new Promise<void>((resolve) => {
              connection.once('close', () => resolve());
              connection.close(CloseCode.GoingAway, 'server shutting down');
            }),
        ),
      );
    });
    app.addHook('onClose', async () => {
      app.server.removeListener('upgrade', onUpgrade);
    });
  },
  { name: 'musicsharer-websocket', fastify: '5.x' },
);
