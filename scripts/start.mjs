#!/usr/bin/env node
/**
 * `npm start [-- server flags]`: builds what is missing or out of date (see build-if-stale.mjs),
 * then runs the server in this same process: its flags are this command's (`process.argv` is
 * [node, this script, ...flags] as it would be for server/dist/main.js), and signals, the exit
 * code and the terminal are its own, with no second Node to start or to forward them to.
 */
import module from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildIfStale } from './build-if-stale.mjs';

// Node 22.1 and later keep V8's compiled code of the server and its dependencies between starts
// (in the system's temporary folder), which shortens every start after the first. Node 20 has
// no such cache: there this does nothing.
module.enableCompileCache?.();

const root = fileURLToPath(new URL('..', import.meta.url));
if (!(await buildIfStale(root))) process.exit(1);
await import(pathToFileURL(join(root, 'server', 'dist', 'main.js')).href);
