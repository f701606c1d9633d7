import preact from '@preact/preset-vite';
import { defaultClientConditions, defineConfig } from 'vite';

/** The musicsharer server (default port); `npm run dev -w client` proxies the API, streams, covers and the socket to it. */
const server = process.env.MUSICSHARER_SERVER ?? 'http://127.0.0.1:4533';

export default defineConfig({
  plugins: [preact()],
  resolve: {
    // Read '@musicsharer/shared' from its TypeScript source (the "source" export condition).
    conditions: ['source', ...defaultClientConditions],
  },
  server: {
    proxy: {
      '/api': server,
      '/stream': server,
      '/cover': server,
      '/ws': { target: server.replace(/^http/, 'ws'), ws: true },
    },
  },
  build: {
    // One small entry chunk: no module-preload polyfill needed.
    modulePreload: { polyfill: false },
    sourcemap: false,
    // dist/.vite/manifest.json: the server finds the share page's script and CSS there
    // (entry key `src/share/main.ts`: its `file` and `css`).
    manifest: true,
    rollupOptions: {
      // Relative to the root (client/): the manifest keys them the same way.
      input: {
        index: 'index.html',
        // The public share page's player (/s/:id): vanilla TypeScript, nothing of Preact or the app.
        share: 'src/share/main.ts',
      },
    },
  },
});
