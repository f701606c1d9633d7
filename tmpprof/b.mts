import * as esbuild from 'esbuild';
await esbuild.build({ entryPoints: ['/work/main/tmpprof/var.mts'], outfile: '/tmp/prof/var.mjs', bundle: true, platform: 'node', format: 'esm', target: 'node20', conditions: ['source'], logLevel: 'error', nodePaths: ['/work/main/node_modules'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" } });
