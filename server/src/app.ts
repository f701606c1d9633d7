/**
 * buildApp(config): registers every plugin and route. It never listens: main.ts does, and
 * tests build the app and listen on port 0.
 */
import fastifyCompress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as zlibConstants } from 'node:zlib';
import { DEFAULT_TRANSCODE_CACHE_MB, type Config } from './config.js';
import { limitConnections, limitsFor, readFdLimit } from './connections/limits.js';
import { boundPipelining } from './connections/pipelining.js';
import authPlugin from './plugins/auth.js';
import hostCheckPlugin from './plugins/host-check.js';
import libraryPlugin from './plugins/library.js';
import nowPlayingPlugin from './plugins/now-playing.js';
import originCheckPlugin from './plugins/origin-check.js';
import playlistsPlugin from './plugins/playlists.js';
import sharesPlugin from './plugins/shares.js';
import streamPlugin from './plugins/stream.js';
import transcodingPlugin from './plugins/transcoding.js';
import websocketPlugin from './plugins/websocket.js';
import { requestLogOptions } from './request-log.js';
import appShellRoutes from './routes/app-shell.js';
import authRoutes from './routes/auth.js';
import libraryRoutes from './routes/library.js';
import playlistRoutes from './routes/playlists.js';
import shareRoutes from './routes/shares.js';

/** `dataDir` absent: everything the server keeps goes in one temporary folder, removed on close (tests). */
export type AppConfig = Pick<Config, 'mediaDir' | 'wsEcho' | 'allowedOrigins' | 'clientDir' | 'auth'> &
  Partial<Pick<Config, 'dataDir' | 'rescanIntervalSec' | 'allowedHosts' | 'trustProxy' | 'publicUrl' | 'transcodeCacheMb'>> & {
    /** `--ffmpeg PATH`; false: no ffmpeg at all (tests of the missing case). */
    ffmpeg?: string | false;
  };

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  /** Log every request ("incoming request", "request completed"); default: only failed ones. */
  requestLogging?: boolean;
  /** Look for ffmpeg at once (the start's log line says whether transcoding works); else on the first transcoded request. */
  findFfmpegNow?: boolean;
  /** Transcoding: encoders at once (default: the cores) and how long an unread one runs on (default 10 s). */
  transcode?: { maxEncoders?: number; idleMs?: number };
}

const PLACEHOLDER_PAGE = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>musicsharer</title><p>musicsharer is running, but the web client has not been built. Run <code>npm run build</code>.</p>`;

export async function buildApp(config: AppConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    ...requestLogOptions(options.requestLogging ?? false),
    // Phones on the LAN reach us directly; behind a reverse proxy (--trust-proxy ADDR), that
    // proxy's X-Forwarded-For/-Proto say the client's address and whether it used HTTPS.
    trustProxy: config.trustProxy !== undefined && config.trustProxy.length > 0 ? config.trustProxy : false,
    // A path parameter longer than this makes its route not match at all, and the request then
    // falls through to the client's static wildcard (a 403 from @fastify/static for a 5,000-
    // character track id). Ids are bounded by their schemas; let every id reach them: a request
    // line cannot be longer than Node's 16 KiB header limit anyway. (A router option: Fastify 5
    // warns, FSTDEP022, when it is given at the top level.)
    routerOptions: { maxParamLength: 16 * 1024 },
    // Node's HTTP server, with bounds on what one connection can make us hold (pipelining) and
    // on the connections kept open, below the process's descriptor limit.
    serverFactory: (handler) => {
      const pipelining = boundPipelining(handler);
      const server = createServer(pipelining.handle);
      limitConnections(server, limitsFor(readFdLimit()), pipelining);
      // Keep-alive for the many Range requests of a player. Streams of an hour-long file take a
      // while on a slow network: no socket timeout while a response is being written (Node's
      // default); receiving a request's head and body stays bounded by Node's defaults
      // (headersTimeout 60 s, requestTimeout 300 s), and headers by its 16 KiB limit.
      server.keepAliveTimeout = 65_000;
      return server;
    },
  });
  const mediaRoot = await realpath(config.mediaDir);
  const dataDir = config.dataDir ?? (await mkdtemp(join(tmpdir(), 'musicsharer-data-')));
  // Added first, so it runs last (onClose hooks run in reverse order): after every plugin has
  // saved what it keeps there.
  if (config.dataDir === undefined) app.addHook('onClose', () => rm(dataDir, { recursive: true, force: true }));
  // First, so that every route (and every WebSocket upgrade) has it.
  // The --public-url name is one of ours too.
  const publicHost = config.publicUrl === undefined ? [] : [new URL(config.publicUrl).hostname.replace(/^\[|\]$/g, '')];
  await app.register(hostCheckPlugin, { allowedHosts: [...(config.allowedHosts ?? []), ...publicHost] });
  // Before any route: both attach their hooks to the routes registered after them.
  await app.register(originCheckPlugin, { allowedOrigins: config.allowedOrigins });
  await app.register(authPlugin, { enabled: config.auth, dataDir });

  await app.register(libraryPlugin, { root: mediaRoot, dataDir, rescanIntervalSec: config.rescanIntervalSec });

  // The hot path first: routes registered before the compress plugin carry none of its hooks.
  const catalog = app.library.catalog;
  await app.register(transcodingPlugin, {
    ffmpeg: config.ffmpeg,
    dataDir,
    maxBytes: (config.transcodeCacheMb ?? DEFAULT_TRANSCODE_CACHE_MB) * 1024 * 1024,
    findNow: options.findFfmpegNow,
    ...options.transcode,
  });
  await app.register(streamPlugin, {
    root: mediaRoot,
    resolve: (id) => {
      const record = catalog.getRecord(id);
      return record && { path: record.realPath, mimeType: record.mimeType, durationSec: record.duration };
    },
    transcodes: app.transcoding,
  });

  // The track list of a large library is megabytes of JSON: compress API answers and the client
  // (Brotli at a fast level; its default, 11, costs seconds on such a list). Audio is never
  // compressed: the stream routes are registered before this plugin and write their
  // replies themselves.
  await app.register(fastifyCompress, {
    threshold: 1024,
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
  });
  await app.register(libraryRoutes);
  await app.register(authRoutes);

  await app.register(websocketPlugin, { allowedOrigins: config.allowedOrigins });
  await app.register(nowPlayingPlugin, { library: { getTrack: (id) => catalog.getRecord(id) }, echo: config.wsEcho });
  // Every device refreshes its library view when files come and go, and shows scan progress.
  app.library.on('changed', ({ trackCount }) => app.nowPlaying.broadcast({ type: 'library', trackCount }));
  app.library.on('progress', ({ scanning, done, total }) => app.nowPlaying.broadcast({ type: 'scan', scanning, done, total }));
  // Playlists: every change (and every playlist file that comes, changes or goes) is broadcast.
  await app.register(playlistsPlugin, { dataDir });
  await app.register(playlistRoutes);
  // Shares open albums, tracks and playlists.
  await app.register(sharesPlugin, { root: mediaRoot, dataDir, clientDir: config.clientDir, publicUrl: config.publicUrl });
  await app.register(shareRoutes);

  if (existsSync(join(config.clientDir, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: config.clientDir,
      // Vite's manifest (.vite/manifest.json) is for the server (the share page's assets), not
      // for the web.
      allowedPath: (pathName) => !pathName.startsWith('/.'),
      // Hashed assets never change; index.html must be revalidated so updates show up.
      setHeaders(reply, path) {
        reply.header('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    // Every screen's URL answers with the shell (its Cache-Control from setHeaders: no-cache).
    await app.register(appShellRoutes, { send: (reply) => reply.sendFile('index.html') });
  } else {
    app.log.warn({ clientDir: config.clientDir }, 'web client not built: serving a placeholder page');
    const placeholder = (reply: FastifyReply) => reply.type('text/html; charset=utf-8').send(PLACEHOLDER_PAGE);
    app.get('/', { schema: { response: { 200: { type: 'string' } } } }, async (_request, reply) => placeholder(reply));
    await app.register(appShellRoutes, { send: placeholder });
  }
  return app;
}
