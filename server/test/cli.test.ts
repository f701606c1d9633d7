/** The command line as a user meets it: real processes, real ports. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createFixtureLibrary, type FixtureLibrary } from './fixtures/library.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

function runCli(args: string[], { until }: { until?: RegExp } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', main, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', MEDIA_DIR: '', PORT: '', HOST: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (until?.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('command line', () => {
  let fixture: FixtureLibrary;
  before(async () => {
    fixture = await createFixtureLibrary({ hourLong: false });
  });
  after(() => fixture.cleanup());

  for (const [name, args, message] of [
    ['a bad flag', ['--bogus'], /Unknown option '--bogus'/],
    ['a bad port', ['--port', 'eighty'], /invalid port "eighty"/],
    ['a missing media folder', ['--media', '/nonexistent/music'], /media folder \/nonexistent\/music does not exist/],
  ] as const) {
    test(`${name}: one clear line, non-zero exit, no stack trace`, async () => {
      const { code, stderr } = await runCli([...args]);
      assert.notEqual(code, 0);
      assert.match(stderr, message);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
      assert.ok(stderr.trim().split('\n').length <= 2, stderr);
    });
  }

  test('a port in use: one clear line, non-zero exit', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, stderr } = await runCli(['--media', fixture.root, '--port', String(port), '--host', '127.0.0.1']);
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`port ${port} is already in use`));
      assert.doesNotMatch(stderr, /\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  test('starts, prints the address to open, and exits cleanly on SIGTERM', async () => {
    const { code, stdout, stderr } = await runCli(['--media', fixture.root, '--port', '0', '--host', '127.0.0.1'], { until: /http:\/\/127\.0\.0\.1:\d+\// });
    assert.match(stdout, /musicsharer is serving/);
    assert.match(stdout, /http:\/\/127\.0\.0\.1:\d+\//);
    assert.equal(code, 0);
    // Fastify's deprecation warnings (FSTDEP022 for a top-level router option) go to stderr.
    assert.doesNotMatch(stderr, /warning|FSTDEP/i);
  });
});
