/**
 * Mounts the now-playing endpoint `/ws` (protocol in shared/src/protocol.ts) and, with
 * `echo: true` (the `--ws-echo` flag), `/ws/echo`: the same WebSocket implementation echoing
 * every message, for conformance testing. Needs the websocket plugin registered first.
 *
 * Decorates the app with `nowPlaying`, so other parts of the server can tell every client
 * something (e.g. that the library changed).
 */
import type { ServerMessage } from '@musicsharer/shared';
import fp from 'fastify-plugin';
import { NowPlayingHub, type TrackLookup } from '../now-playing/hub.js';

export interface NowPlayingPluginOptions {
  library: TrackLookup;
  /** Mount `/ws/echo`. */
  echo?: boolean;
}

export interface NowPlaying {
  /** Sends a message to every connected `/ws` client (serialised and framed once). */
  broadcast(message: ServerMessage): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    nowPlaying: NowPlaying;
  }
}

export default fp<NowPlayingPluginOptions>(
  async (app, options) => {
    const hub = new NowPlayingHub(options.library);
    const nowPlaying: NowPlaying = {
      broadcast: (message) => hub.broadcast(message),
    };
    app.decorate('nowPlaying', nowPlaying);

    app.websocketRoute('/ws', (socket, request) => {
      // A revoked session's sockets are closed (4401); the device's name names its session.
      // (The auth plugin is absent where tests mount the hub on its own.)
      const auth = app.hasDecorator('auth') ? app.auth : undefined;
      auth?.watchSocket(request, socket);
      const sessionId = request.session?.id;
      const sessions = auth?.stores?.sessions;
      const onName = sessionId && sessions ? (name: string) => sessions.rename(sessionId, name) : undefined;
      hub.join(socket, request.log, request.socket.remoteAddress, onName);
    });

    if (options.echo === true) {
      app.websocketRoute('/ws/echo', (socket) => {
        socket.on('message', (data) => socket.send(data));
      });
      app.log.info('WebSocket echo endpoint mounted at /ws/echo');
    }

    app.addHook('onClose', async () => hub.dispose());
  },
  { name: 'musicsharer-now-playing', fastify: '5.x', dependencies: ['musicsharer-websocket'] },
);
