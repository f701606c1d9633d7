/**
 * Benchmarks run their servers as plain `node` on an esbuild bundle (esbuild comes with tsx),
 * as the server runs compiled in production: under tsx every process carries a loader thread
 * (~70 MB of RSS), our closures keep their names (~256 B each), and node_modules load through
 * its hooks too, which slowed the `ws` peer by up to 1.6x.
 */
import { join } from 'node:path';

/** Bundles `entry` into `dir`; returns the bundle's path, or throws when esbuild is unavailable. */
export async function bundleForNode(entry: string, dir: string): Promise<string> {
  const outfile = join(dir, 'bench-bundle.mjs');
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['source'],
    logLevel: 'error',
    // ws loads these optional native helpers only when they are installed.
    external: ['bufferutil', 'utf-8-validate'],
    // CommonJS dependencies (fastify, ws) call require(): give the ESM bundle one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return outfile;
}
