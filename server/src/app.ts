/**
 * buildApp(config): registers every plugin and route. It never listens: main.ts does, and
 * tests build the app and listen on port 0.
 */
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.js';
import libraryPlugin from './plugins/library.js';
import libraryRoutes from './routes/library.js';

export type AppConfig = Pick<Config, 'mediaDir' | 'wsEcho' | 'allowedOrigins' | 'clientDir'>;

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
}

const PLACEHOLDER_PAGE = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>musicsharer</title><p>musicsharer is running, but the web client has not been built. Run <code>npm run build</code>.</p>`;

export async function buildApp(config: AppConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // Phones on the LAN reach us by IP; nothing here sits behind a proxy.
    trustProxy: false,
    // Streams of an hour-long file take a while on a slow network: no request timeout, but
    // bounded headers (Node's default 16 KiB) and keep-alive for the many Range requests.
    keepAliveTimeout: 65_000,
  });
  const mediaRoot = await realpath(config.mediaDir);

  await app.register(libraryPlugin, { root: mediaRoot });
  await app.register(libraryRoutes);

  if (existsSync(join(config.clientDir, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: config.clientDir,
      // Hashed assets never change; index.html must be revalidated so updates show up.
      setHeaders(reply, path) {
        reply.header('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  } else {
    app.log.warn({ clientDir: config.clientDir }, 'web client not built: serving a placeholder page');
    app.get('/', { schema: { response: { 200: { type: 'string' } } } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(PLACEHOLDER_PAGE),
    );
  }
  return app;
}
