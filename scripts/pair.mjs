#!/usr/bin/env node
/**
 * `npm run pair [-- --media DIR | --data DIR]`: a fresh pairing link for the running server
 * (server/src/pair.ts), building the server first if its build is missing or stale.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildIfStale } from './build-if-stale.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!(await buildIfStale(root))) process.exit(1);
await import(pathToFileURL(join(root, 'server', 'dist', 'pair.js')).href);
