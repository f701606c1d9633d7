/**
 * `npm start`'s build step (scripts/build-if-stale.mjs) and the start script itself, run for real
 * on a temporary tree shaped like the project: sources, build outputs, stand-ins for tsc and
 * vite in node_modules/.bin that record their calls, and a stand-in server entry.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { BUILDS, staleBuilds } from '../../scripts/build-if-stale.mjs';
import { runProcess } from './fixtures/run-process.js';

const scripts = fileURLToPath(new URL('../../scripts/', import.meta.url));

const SOURCES = [
  'package.json',
  'package-lock.json',
  'tsconfig.base.json',
  'shared/package.json',
  'shared/tsconfig.json',
  'shared/src/index.ts',
  'server/package.json',
  'server/tsconfig.json',
  'server/src/main.ts',
  'server/src/app.ts',
  'client/package.json',
  'client/tsconfig.json',
  'client/vite.config.ts',
  'client/index.html',
  'client/public/icon.png',
  'client/src/app.tsx',
  'client/src/app.test.tsx',
];

/** Records its call in build.log, writes what the real tool would, fails when FAIL_BUILD says so. */
const fakeTool = (name: string, writes: string[]) => `
const { appendFileSync, mkdirSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const root = ${JSON.stringify('ROOT')};
appendFileSync(join(root, 'build.log'), ${JSON.stringify(name)} + ' ' + process.argv.slice(2).join(' ') + ' in ' + process.cwd() + '\\n');
if (process.env.FAIL_BUILD === ${JSON.stringify(name)}) {
  process.stdout.write('error TS2322: a stand-in type error\\n');
  process.exit(2);
}
for (const file of ${JSON.stringify(writes)}) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), 'built');
}
`;

/** The stand-in server: prints its flags, exits 7 on its own or 0 after a SIGTERM. */
const FAKE_SERVER = `
process.on('SIGTERM', () => { process.stdout.write('server: SIGTERM\\n'); process.exit(0); });
process.stdout.write('server: ' + JSON.stringify(process.argv.slice(2)) + '\\n');
setTimeout(() => process.exit(7), process.argv.includes('--stay') ? 30000 : 0);
`;

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

async function setTime(path: string, seconds: number): Promise<void> {
  await utimes(path, seconds, seconds);
}

const HOUR_AGO = Date.now() / 1000 - 3600;
const BUILT_AT = HOUR_AGO + 600;

/** A project tree with every output built after every source. */
async function createTree(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'musicsharer-start-'));
  for (const file of SOURCES) {
    await write(join(root, file), file.endsWith('.json') ? '{}' : '// source\n');
    await setTime(join(root, file), HOUR_AGO);
  }
  await write(join(root, 'server/dist/main.js'), FAKE_SERVER);
  for (const file of ['shared/dist/index.js', 'shared/tsconfig.tsbuildinfo', 'server/tsconfig.tsbuildinfo', 'client/dist/index.html']) {
    await write(join(root, file), 'built');
  }
  for (const build of BUILDS) for (const output of build.outputs) await setTime(join(root, output), BUILT_AT);
  // tsc -b leaves unchanged outputs alone and writes the .tsbuildinfo files: so does its stand-in.
  await write(join(root, 'node_modules/typescript/bin/tsc'), fakeTool('tsc', ['server/tsconfig.tsbuildinfo']).replace('ROOT', root));
  await write(join(root, 'node_modules/vite/bin/vite.js'), fakeTool('vite', ['client/dist/index.html']).replace('ROOT', root));
  await mkdir(join(root, 'node_modules/.bin'));
  await symlink('../typescript/bin/tsc', join(root, 'node_modules/.bin/tsc'));
  await symlink('../vite/bin/vite.js', join(root, 'node_modules/.bin/vite'));
  await mkdir(join(root, 'scripts'));
  for (const script of ['start.mjs', 'build-if-stale.mjs']) await copyFile(join(scripts, script), join(root, 'scripts', script));
  return root;
}

function runStart(root: string, args: string[], { env = {}, until }: { env?: NodeJS.ProcessEnv; until?: RegExp } = {}) {
  return runProcess(process.execPath, [join(root, 'scripts/start.mjs'), ...args], { env: { ...process.env, ...env }, until });
}

const buildLog = (root: string) => readFile(join(root, 'build.log'), 'utf8').catch(() => '');
const reasons = (root: string) => staleBuilds(root).map(({ build, reason }) => `${build.title}: ${reason}`);

describe('start: which builds are stale', () => {
  let root: string;
  beforeEach(async () => {
    root = await createTree();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  test('every output newer than every source: nothing to build', () => {
    assert.deepEqual(reasons(root), []);
  });

  test('a fresh clone (no dist, no .tsbuildinfo): everything', async () => {
    for (const dir of ['shared/dist', 'server/dist', 'client/dist']) await rm(join(root, dir), { recursive: true });
    for (const file of ['shared/tsconfig.tsbuildinfo', 'server/tsconfig.tsbuildinfo']) await rm(join(root, file));
    assert.deepEqual(reasons(root), ['the server: shared/tsconfig.tsbuildinfo is missing', 'the web client: client/dist/index.html is missing']);
  });

  test('a server source changed: the server only', async () => {
    await setTime(join(root, 'server/src/app.ts'), BUILT_AT + 1);
    assert.deepEqual(reasons(root), ['the server: server/src/app.ts changed']);
  });

  test('a shared source or the lock file changed: both', async () => {
    await setTime(join(root, 'shared/src/index.ts'), BUILT_AT + 1);
    assert.deepEqual(reasons(root), ['the server: shared/src/index.ts changed', 'the web client: shared/src/index.ts changed']);
    await setTime(join(root, 'shared/src/index.ts'), HOUR_AGO);
    await setTime(join(root, 'package-lock.json'), BUILT_AT + 1);
    assert.equal(reasons(root).length, 2);
  });

  test('the client: its sources, page and public files, not its tests', async () => {
    await setTime(join(root, 'client/src/app.test.tsx'), BUILT_AT + 1);
    assert.deepEqual(reasons(root), []);
    for (const file of ['client/public/icon.png', 'client/index.html', 'client/vite.config.ts']) {
      await setTime(join(root, file), BUILT_AT + 1);
      assert.deepEqual(reasons(root), [`the web client: ${file} changed`]);
      await setTime(join(root, file), HOUR_AGO);
    }
  });

  test('one output older than a source (tsc left an unchanged file alone): stale', async () => {
    await setTime(join(root, 'server/src/main.ts'), BUILT_AT + 1);
    await setTime(join(root, 'server/tsconfig.tsbuildinfo'), BUILT_AT + 2);
    await setTime(join(root, 'shared/tsconfig.tsbuildinfo'), BUILT_AT + 2);
    assert.deepEqual(reasons(root), ['the server: server/src/main.ts changed']);
  });
});

describe('start: the script', () => {
  let root: string;
  beforeEach(async () => {
    root = await createTree();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  test('an up-to-date tree starts the server at once: no build, its flags, its exit code, nothing on stderr', async () => {
    const { code, stdout, stderr } = await runStart(root, ['--media', '/srv/My Music', '--port', '0']);
    assert.equal(await buildLog(root), '');
    assert.equal(stdout, 'server: ["--media","/srv/My Music","--port","0"]\n');
    assert.equal(stderr, '');
    assert.equal(code, 7);
  });

  test('a changed source: that build alone, one line about it, then the server; the next start builds nothing', async () => {
    await setTime(join(root, 'server/src/app.ts'), Date.now() / 1000 - 5);
    const first = await runStart(root, ['--port', '1']);
    assert.equal(await buildLog(root), `tsc -b shared server in ${root}\n`);
    assert.match(first.stderr, /^musicsharer: building the server \(server\/src\/app\.ts changed\)\nmusicsharer: built the server in \d+\.\d s\n$/);
    assert.equal(first.stdout, 'server: ["--port","1"]\n');
    assert.equal(first.code, 7);
    // Every output counts as built, shared/dist/index.js (which tsc left alone) included.
    assert.deepEqual(reasons(root), []);
    const second = await runStart(root, []);
    assert.equal(await buildLog(root), `tsc -b shared server in ${root}\n`);
    assert.equal(second.stderr, '');
  });

  test('a fresh clone builds both, the client in its own folder', async () => {
    for (const file of ['server/tsconfig.tsbuildinfo', 'client/dist/index.html']) await rm(join(root, file));
    const { code, stdout } = await runStart(root, []);
    const calls = (await buildLog(root)).trim().split('\n').sort();
    assert.deepEqual(calls, [`tsc -b shared server in ${root}`, `vite build in ${join(root, 'client')}`]);
    assert.equal(stdout, 'server: []\n');
    assert.equal(code, 7);
  });

  test('a failed build: its output shown, exit 1, no server, and the next start builds again', async () => {
    await setTime(join(root, 'client/src/app.tsx'), Date.now() / 1000 - 5);
    const failed = await runStart(root, [], { env: { FAIL_BUILD: 'vite' } });
    assert.equal(failed.code, 1);
    assert.equal(failed.stdout, '');
    assert.match(failed.stderr, /error TS2322: a stand-in type error\nmusicsharer: building the web client failed: vite build failed \(exit code 2\)/);
    assert.deepEqual(reasons(root), ['the web client: client/src/app.tsx changed']);
    const retried = await runStart(root, []);
    assert.equal(retried.code, 7);
    assert.equal((await buildLog(root)).split('\n').filter(Boolean).length, 2);
  });

  test('signals reach the server: it runs in the script\'s own process', async () => {
    const { code, stdout } = await runStart(root, ['--stay'], { until: /server: / });
    assert.equal(stdout, 'server: ["--stay"]\nserver: SIGTERM\n');
    assert.equal(code, 0);
  });
});
