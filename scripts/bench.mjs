#!/usr/bin/env node
/**
 * `npm run bench [-- NAME...]`: runs the benchmarks one after another (never in parallel: they
 * measure this machine). Each prints our figures beside its peers, as ratios. Not a test.
 * Names: stream, ws, library, client, mp3-duration, abuse, transcode (default: all present in bench/).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const all = ['stream', 'ws', 'library', 'client', 'mp3-duration', 'abuse', 'transcode'];
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : all;
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')} (choose from ${all.join(', ')})`);
  process.exit(2);
}
const tsx = join(root, 'node_modules', '.bin', 'tsx');
let failed = 0;
for (const name of wanted) {
  const file = join(root, 'bench', `${name}.ts`);
  if (!existsSync(file)) continue;
  console.log(`\n######## bench/${name}.ts\n`);
  const { status } = spawnSync(tsx, ['--conditions=source', file], { cwd: root, stdio: 'inherit' });
  if (status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
