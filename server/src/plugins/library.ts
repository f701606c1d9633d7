/**
 * Decorates the app with `library`, registers the cover route, and once the app is ready loads
 * the saved index and starts the first scan, the folder watcher and the periodic check. The
 * app is ready (and `listen` accepts) once the index is loaded, so the first answer already
 * lists the saved tracks and says a scan is under way; the server answers while it scans and
 * tracks appear as they are read. On close, everything stops and the index is saved.
 *
 * Without a data folder (tests), a fresh temporary one is used and removed on close: the
 * library then works the same way, but nothing outlives the app.
 */
import fp from 'fastify-plugin';
import { LibraryService, type LibraryServiceOptions } from '../library/service.js';
import coverRoutes from '../routes/cover.js';

declare module 'fastify' {
  interface FastifyInstance {
    library: LibraryService;
  }
}

export interface LibraryPluginOptions extends Omit<LibraryServiceOptions, 'dataDir'> {
  /** Real (symlink-resolved) absolute path of the media folder. */
  root: string;
  /** Index and thumbnail cache. */
  dataDir: string;
  /** Seconds between periodic full checks (0: never). */
  rescanIntervalSec?: number;
}

export default fp<LibraryPluginOptions>(
  async (app, options) => {
    const { root, dataDir, rescanIntervalSec, ...rest } = options;
    const library = new LibraryService(root, app.log.child({ module: 'library' }), {
      ...rest,
      dataDir,
      ...(rescanIntervalSec === undefined ? {} : { rescanIntervalMs: rescanIntervalSec * 1000 }),
    });
    app.decorate('library', library);
    await app.register(coverRoutes);
    app.addHook('onReady', async () => {
      library.start().catch((error: unknown) => {
        if ((error as Error).name !== 'AbortError') app.log.error({ err: error }, 'library scan failed');
      });
      await library.indexLoaded();
    });
    app.addHook('preClose', async () => {
      await library.close();
    });
  },
  { name: 'musicsharer-library' },
);
