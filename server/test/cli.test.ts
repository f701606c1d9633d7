/** The command line as a user meets it: real processes, real ports. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { serverAddresses } from '../src/network.js';
import { createFixtureLibrary, type FixtureLibrary } from './fixtures/library.js';
import { runProcess } from './fixtures/run-process.js';
import { readTerminalQr, terminalQrRows } from './fixtures/terminal-qr.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

function runCli(args: string[], { until, env = {} }: { until?: RegExp; env?: NodeJS.ProcessEnv } = {}) {
  return runProcess(process.execPath, ['--import', 'tsx', '--conditions=source', main, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', MEDIA_DIR: '', PORT: '', HOST: '', ...env },
    until,
  });
}

/**
 * Runs the server with a terminal as its stdout and stderr (util-linux `script` gives it a
 * pseudo-terminal) until `until` shows up, then ends the whole session.
 */
function runInTerminal(args: string[], until: { test(output: string): boolean }) {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, '--import', 'tsx', '--conditions=source', main, ...args].map(quote).join(' ');
  return new Promise<string>((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'info', MEDIA_DIR: '', PORT: '', HOST: '' },
    });
    let output = '';
    const stop = () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
      if (until.test(output)) stop();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const timer = setTimeout(stop, 30_000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(output);
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

  test('on a terminal: one banner with the pairing link on the first network address and its QR code, nothing else announces it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'musicsharer-cli-data-'));
    try {
      // Until the library's info line and a whole banner are out: the scan can finish before the
      // banner is written (pairing writes its link to the data folder first), and ending the
      // session then cut the QR code in half on a loaded CI machine.
      const output = await runInTerminal(['--media', fixture.root, '--data', dataDir, '--port', '0', '--host', '0.0.0.0'], {
        test: (text) => /library scan finished/.test(text) && readTerminalQr(text) !== null,
      });
      assert.equal(output.split('musicsharer is serving').length - 1, 1, output);
      assert.doesNotMatch(output, /Server listening|listening, announced/, 'Fastify announces no address of its own');
      assert.doesNotMatch(output, /warning|FSTDEP/i);
      assert.match(output, /library scan finished/, 'other log lines still reach the terminal');
      const port = Number(/http:\/\/localhost:(\d+)\//.exec(output)?.[1]);
      const [first = `http://localhost:${port}/`] = serverAddresses('0.0.0.0', port, networkInterfaces()).network;
      const link = /Pair a device: (\S+)/.exec(output)?.[1];
      assert.match(link ?? '', new RegExp(`^${first.replace(/[.[\]]/g, '\\$&')}pair/[A-Za-z0-9_-]{43}$`), output);
      assert.equal(readTerminalQr(output), link, `the code is of the pairing link:\n${output}`);
      assert.doesNotMatch(output, /access control is off/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('--no-auth on a network address: one warning line; on loopback none', async () => {
    const open = await runCli(['--media', fixture.root, '--port', '0', '--host', '0.0.0.0', '--no-auth'], { until: /access control is off/ });
    assert.match(open.stdout, /^Warning: access control is off \(--no-auth\): anyone who can reach this port can browse and play your music\.$/m);
    assert.doesNotMatch(open.stdout, /Pair a device/);
    const local = await runCli(['--media', fixture.root, '--port', '0', '--host', '127.0.0.1', '--no-auth'], { until: /http:\/\/127\.0\.0\.1:\d+\// });
    assert.doesNotMatch(local.stdout, /access control is off|Pair a device/);
  });

  test('on a pipe: JSON log lines as before, the banner without a code', async () => {
    const { stdout } = await runCli(['--media', fixture.root, '--port', '0', '--host', '127.0.0.1'], {
      // Both, in whichever order they come: the scan of a small library can end before or after the banner.
      until: /^(?=[\s\S]*library scan finished)[\s\S]*musicsharer is serving/,
      env: { LOG_LEVEL: 'info' },
    });
    const lines = stdout.split('\n');
    assert.ok(lines.some((line) => /^\{"level":30,.*"msg":"Server listening at http:\/\/127\.0\.0\.1:\d+"\}$/.test(line)), stdout);
    assert.ok(lines.some((line) => /^\{"level":30,.*"msg":"library scan finished"\}$/.test(line)), stdout);
    assert.match(stdout, /musicsharer is serving/);
    assert.equal(terminalQrRows(stdout).length, 0);
    assert.ok(!stdout.includes('\x1b['), 'no terminal escapes');
  });
});
