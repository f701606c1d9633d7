/**
 * Transcoding (issue 15) for every stream route: decorates `app.transcoding` (the cache, set up
 * on first need: transcode/transcoding.ts) and answers `GET /api/transcoding`, which the client
 * asks once to know whether tracks it cannot play can be had as MP3 (and if not, why).
 */
import { apiPaths } from '@musicsharer/shared';
import { TranscodingStatusSchema } from '@musicsharer/shared/schemas';
import fp from 'fastify-plugin';
import { transcoding, type Transcoding, type TranscodingOptions } from '../transcode/transcoding.js';

declare module 'fastify' {
  interface FastifyInstance {
    transcoding: Transcoding;
  }
}

export type TranscodingPluginOptions = Omit<TranscodingOptions, 'log'> & {
  /** Look for ffmpeg now (its log line must not land inside the start banner); else on first need. */
  findNow?: boolean;
};

export default fp<TranscodingPluginOptions>(
  async (app, options) => {
    const transcodes = transcoding({ ...options, log: app.log });
    app.decorate('transcoding', transcodes);
    app.addHook('onClose', () => transcodes.close());
    // Two short ffmpeg runs (~0.1 s), while the rest of the app is set up; waited for before
    // the app is ready, so its log line cannot land inside the start banner (or its QR code).
    if (options.findNow) {
      const found = transcodes.get();
      app.addHook('onReady', async () => void (await found));
    }
    app.get(apiPaths.transcoding, { schema: { response: { 200: TranscodingStatusSchema } } }, () => transcodes.status());
  },
  { name: 'musicsharer-transcoding', fastify: '5.x' },
);
