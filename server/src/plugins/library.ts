/**
 * Decorates the app with `library` and starts the first scan once the app is ready. The
 * server answers while it scans; tracks appear as they are read.
 */
import fp from 'fastify-plugin';
import { LibraryService } from '../library/service.js';

declare module 'fastify' {
  interface FastifyInstance {
    library: LibraryService;
  }
}

export interface LibraryPluginOptions {
  /** Real (symlink-resolved) absolute path of the media folder. */
  root: string;
}

export default fp<LibraryPluginOptions>(
  async (app, options) => {
    const library = new LibraryService(options.root, app.log.child({ module: 'library' }));
    app.decorate('library', library);
    app.addHook('onReady', async () => {
      library.scan().catch((error: unknown) => app.log.error({ err: error }, 'library scan failed'));
    });
    app.addHook('preClose', async () => {
      library.removeAllListeners();
    });
  },
  { name: 'musicsharer-library' },
);
