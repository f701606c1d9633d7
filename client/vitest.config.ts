import { defaultClientConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source', ...defaultClientConditions] },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    setupFiles: ['./test/setup.ts'],
    // Generous: the suite shares two cores with builds and browsers.
    testTimeout: 15_000,
    css: { modules: { classNameStrategy: 'non-scoped' } },
    // Bundle testing-library through Vite so it shares the app's (ESM) copy of Preact.
    server: { deps: { inline: ['@testing-library/preact'] } },
  },
});
