/**
 * The pairing link at start and `npm run pair` (server/src/pair.ts), as real processes: the
 * link printed under the addresses pairs a browser once; the pair command prints a fresh one
 * the running server honours; without a running server it says so in one line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createFixtureLibrary, type FixtureLibrary } from '../fixtures/library.js';
import { runProcess } from '../fixtures/run-process.js';

const entry = (name: string) => fileURLToPath(new URL(`../../src/${name}`, import.meta.url));
const tsxArgs = ['--import', 'tsx', '--conditions=source'];
const env = { ...process.env, LOG_LEVEL: 'warn', MEDIA_DIR: '', PORT: '', HOST: '', DATA_DIR: '' };
const LINK = /Pair a device: (http:\/\/\S+\/pair\/[A-Za-z0-9_-]{43})/;

describe('pairing from the command line', () => {
  let fixture: FixtureLibrary;
  let dataDir: string;
  before(async () => {
    fixture = await createFixtureLibrary();
    dataDir = await mkdtemp(join(tmpdir(), 'musicsharer-pair-cli-'));
  });
  after(async () => {
    await fixture?.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  const pairCommand = () => runProcess(process.execPath, [...tsxArgs, entry('pair.ts'), '--media', fixture.root, '--data', dataDir], { env });

  test('the start link and npm run pair links each pair a browser once; no server, one clear line', async () => {
    const server = spawn(process.execPath, [...tsxArgs, entry('main.ts'), '--media', fixture.root, '--data', dataDir, '--host', '127.0.0.1', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let stdout = '';
      const startLink = await new Promise<string>((resolve, reject) => {
        server.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk;
          const match = LINK.exec(stdout);
          if (match) resolve(match[1]!);
        });
        server.once('exit', () => reject(new Error(`server exited: ${stdout}`)));
      });
      assert.match(stdout, /works once, for 15 minutes; `npm run pair` prints a new one/);
      const first = await fetch(startLink, { redirect: 'manual' });
      assert.equal(first.status, 303);
      assert.equal((await fetch(startLink, { redirect: 'manual' })).status, 410);

      const paired = await pairCommand();
      assert.equal(paired.code, 0, paired.stderr);
      const fresh = LINK.exec(paired.stdout)?.[1];
      assert.ok(fresh, paired.stdout);
      assert.equal(new URL(fresh).origin, new URL(startLink).origin, 'the same server');
      assert.notEqual(fresh, startLink);
      assert.equal((await fetch(fresh, { redirect: 'manual' })).status, 303);
      assert.equal((await fetch(fresh, { redirect: 'manual' })).status, 410);
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => (server.exitCode === null ? server.once('exit', resolve) : resolve(null)));
    }
    assert.equal(existsSync(join(dataDir, 'server.json')), false, 'the server forgot itself on exit');
    const none = await pairCommand();
    assert.equal(none.code, 1);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /^musicsharer pair: no musicsharer is running over this folder .*\n$/);
  });
});
